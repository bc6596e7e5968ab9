module example.com/recoverpaths

go 1.22
