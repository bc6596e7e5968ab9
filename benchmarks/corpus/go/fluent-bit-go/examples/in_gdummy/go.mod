module github.com/fluent/fluent-bit-go/examples/gdummy

go 1.17

require github.com/fluent/fluent-bit-go v0.0.0-20211213025035-0be1ffb0c49b

require github.com/ugorji/go/codec v1.1.7 // indirect

replace github.com/fluent/fluent-bit-go => ../..
