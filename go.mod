module aced

go 1.26
