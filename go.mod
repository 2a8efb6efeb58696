module github.com/ties-graph/ties

go 1.26.0
