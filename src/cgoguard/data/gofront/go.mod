module cgoguard.invalid/gofront

go 1.21
