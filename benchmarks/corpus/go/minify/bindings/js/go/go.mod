module github.com/tdewolff/minify/v2/bindings/js/go

go 1.25.0

require (
	github.com/tdewolff/minify/v2 v2.24.7
	github.com/tdewolff/parse/v2 v2.8.12
)

replace github.com/tdewolff/minify/v2 => ../../..
