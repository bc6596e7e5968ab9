module example.com/bridge

go 1.27
