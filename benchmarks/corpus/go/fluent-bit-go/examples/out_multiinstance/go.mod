module github.com/fluent/fluent-bit-go/examples/out_multiinstance

go 1.14

require github.com/fluent/fluent-bit-go v0.0.0-20200420155746-e125cab17963

replace github.com/fluent/fluent-bit-go => ../..
