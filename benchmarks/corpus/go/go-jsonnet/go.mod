module github.com/google/go-jsonnet

go 1.20

require (
	github.com/fatih/color v1.12.0
	github.com/sergi/go-diff v1.1.0
	golang.org/x/crypto v0.17.0
	sigs.k8s.io/yaml v1.1.0
)

require (
	github.com/mattn/go-colorable v0.1.8 // indirect
	github.com/mattn/go-isatty v0.0.12 // indirect
	golang.org/x/sys v0.15.0 // indirect
	gopkg.in/yaml.v2 v2.2.7 // indirect
)
