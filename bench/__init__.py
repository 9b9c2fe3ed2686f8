"""The benchmark the project ships (`make bench`): page cost at demo size and at city scale."""
