// Package kubernetes holds no code: it is the home of the Kubernetes
// deployment of bploadgen (job.yaml, collect.sh, README.md) and of the tests
// that keep it honest without a cluster: manifest_test.go parses the
// manifest and checks the fields an Indexed Job of shards needs,
// collect_test.go runs the pods' script and collect.sh against a fake
// kubectl, merging synthetic shard results with the real bploadgen binary,
// and dockerfile_test.go checks the images' two build paths (../../Dockerfile
// and ../container/Containerfile.local, whose build context it stages).
package kubernetes
