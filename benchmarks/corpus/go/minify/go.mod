module github.com/tdewolff/minify/v2

go 1.25.0

require (
	github.com/djherbis/atime v1.1.0
	github.com/fsnotify/fsnotify v1.10.1
	github.com/tdewolff/argp v0.0.0-20260424074207-decde4f86440
	github.com/tdewolff/parse/v2 v2.8.15
	github.com/tdewolff/test v1.0.12
)

require (
	github.com/jmoiron/sqlx v1.4.0 // indirect
	github.com/pelletier/go-toml v1.9.5 // indirect
	golang.org/x/sys v0.47.0 // indirect
	gopkg.in/yaml.v3 v3.0.1 // indirect
)
