module github.com/aws/amazon-cloudwatch-logs-for-fluent-bit

go 1.20

require (
	github.com/aws/amazon-kinesis-firehose-for-fluent-bit v1.5.1
	github.com/aws/aws-sdk-go v1.44.267
	github.com/fluent/fluent-bit-go v0.0.0-20201210173045-3fd1e0486df2
	github.com/golang/mock v1.4.4
	github.com/json-iterator/go v1.1.12
	github.com/modern-go/concurrent v0.0.0-20180306012644-bacd9c7ef1dd // indirect
	github.com/segmentio/ksuid v1.0.4
	github.com/sirupsen/logrus v1.9.0
	github.com/stretchr/testify v1.8.3
	github.com/valyala/bytebufferpool v1.0.0
	github.com/valyala/fasttemplate v1.2.2
	golang.org/x/sys v0.1.0 // indirect
)

require (
	github.com/davecgh/go-spew v1.1.1 // indirect
	github.com/jmespath/go-jmespath v0.4.0 // indirect
	github.com/modern-go/reflect2 v1.0.2 // indirect
	github.com/pmezard/go-difflib v1.0.0 // indirect
	github.com/ugorji/go/codec v1.2.6 // indirect
	gopkg.in/yaml.v3 v3.0.1 // indirect
)
