"""Command handlers, one module per data type or concern. Importing this package fills
`miniredis_node.table.COMMANDS`; the order below is the order of COMMAND's output.
"""

from miniredis_node.commands import (  # noqa: F401
    aof,
    bitfield,
    bitmaps,
    connection,
    debug,
    hashes,
    hyperloglog,
    keys,
    lists,
    persistence,
    pubsub,
    scripting,
    server,
    sets,
    sort,
    streams,
    strings,
    transactions,
    zsets,
)
