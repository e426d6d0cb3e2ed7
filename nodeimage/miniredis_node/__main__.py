"""`python -m miniredis_node`: same as the `miniredis-node` console script."""

from miniredis_node.cli import main

main()
