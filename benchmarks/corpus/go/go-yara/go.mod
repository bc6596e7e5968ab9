module github.com/hillu/go-yara/v4

go 1.10
