"""Every error text the node sends, worded exactly as Redis 7.0 words it.

Clients and test suites match on these strings, so they are data: one place, no ad-hoc
f-strings in handlers. `CommandError` carries one of them from a handler to the dispatcher,
which writes it as `-<text>\\r\\n`.
"""

from __future__ import annotations

from typing import Final


class CommandError(Exception):
    """Abort the current command and reply with this error text (already prefixed, e.g. `ERR ...`)."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


# Protocol (the connection is closed after these).
PROTO_INLINE_TOO_BIG: Final = "Protocol error: too big inline request"
PROTO_UNBALANCED_QUOTES: Final = "Protocol error: unbalanced quotes in request"
PROTO_MBULK_COUNT_TOO_BIG: Final = "Protocol error: too big mbulk count string"
PROTO_BULK_COUNT_TOO_BIG: Final = "Protocol error: too big bulk count string"
PROTO_INVALID_MULTIBULK: Final = "Protocol error: invalid multibulk length"
PROTO_INVALID_BULK: Final = "Protocol error: invalid bulk length"
PROTO_EXPECTED_DOLLAR: Final = "Protocol error: expected '$', got '{}'"
PROTO_UNAUTH_MULTIBULK: Final = "Protocol error: unauthenticated multibulk length"
PROTO_UNAUTH_BULK: Final = "Protocol error: unauthenticated bulk length"

# Dispatch.
UNKNOWN_COMMAND: Final = "ERR unknown command '{}', with args beginning with: {}"
UNKNOWN_SUBCOMMAND: Final = "ERR unknown subcommand '{}'. Try {} HELP."
WRONG_ARGS: Final = "ERR wrong number of arguments for '{}' command"
SYNTAX: Final = "ERR syntax error"
WRONGTYPE: Final = "WRONGTYPE Operation against a key holding the wrong kind of value"
NOAUTH: Final = "NOAUTH Authentication required."
WRONGPASS: Final = "WRONGPASS invalid username-password pair or user is disabled."
AUTH_NOT_CONFIGURED: Final = (
    "ERR AUTH <password> called without any password configured for the default user. "
    "Are you sure your configuration is correct?"
)
OOM: Final = "OOM command not allowed when used memory > 'maxmemory'."
MAX_CLIENTS: Final = "ERR max number of clients reached"
SUBSCRIBED_CONTEXT: Final = (
    "ERR Can't execute '{}': only (P|S)SUBSCRIBE / (P|S)UNSUBSCRIBE / PING / QUIT / RESET "
    "are allowed in this context"
)

# Values.
NOT_INTEGER: Final = "ERR value is not an integer or out of range"
NOT_FLOAT: Final = "ERR value is not a valid float"
OVERFLOW: Final = "ERR increment or decrement would overflow"
INCR_NAN_OR_INF: Final = "ERR increment would produce NaN or Infinity"
NO_SUCH_KEY: Final = "ERR no such key"
INDEX_OUT_OF_RANGE: Final = "ERR index out of range"
INVALID_EXPIRE: Final = "ERR invalid expire time in '{}' command"
STRING_TOO_LONG: Final = "ERR string exceeds maximum allowed size (proto-max-bulk-len)"
BIT_OFFSET: Final = "ERR bit offset is not an integer or out of range"
BIT_VALUE: Final = "ERR bit is not an integer or out of range"
TIMEOUT_NOT_FLOAT: Final = "ERR timeout is not a float or out of range"
TIMEOUT_NEGATIVE: Final = "ERR timeout is negative"
TIMEOUT_OUT_OF_RANGE: Final = "ERR timeout is out of range"
MIN_MAX_NOT_FLOAT: Final = "ERR min or max is not a float"
MIN_MAX_NOT_STRING_RANGE: Final = "ERR min or max not valid string range item"
WEIGHT_NOT_FLOAT: Final = "ERR weight value is not a float"
SCORE_NAN: Final = "ERR resulting score is not a number (NaN)"
ZADD_NX_XX: Final = "ERR XX and NX options at the same time are not compatible"
ZADD_GT_LT_NX: Final = "ERR GT, LT, and/or NX options at the same time are not compatible"
ZADD_INCR_PAIR: Final = "ERR INCR option supports a single increment-element pair"
DB_INDEX_OUT_OF_RANGE: Final = "ERR DB index is out of range"
INVALID_DB_INDEX: Final = "ERR invalid DB index"
SAME_OBJECT: Final = "ERR source and destination objects are the same"
INVALID_CURSOR: Final = "ERR invalid cursor"
NUMKEYS_ZERO: Final = "ERR numkeys should be greater than 0"
COUNT_POSITIVE: Final = "ERR count should be greater than 0"
VALUE_OUT_OF_RANGE_POSITIVE: Final = "ERR value is out of range, must be positive"

# Transactions.
MULTI_NESTED: Final = "ERR MULTI calls can not be nested"
EXEC_WITHOUT_MULTI: Final = "ERR EXEC without MULTI"
DISCARD_WITHOUT_MULTI: Final = "ERR DISCARD without MULTI"
WATCH_IN_MULTI: Final = "ERR WATCH inside MULTI is not allowed"
EXECABORT: Final = "EXECABORT Transaction discarded because of previous errors."
COMMAND_NOT_ALLOWED_IN_MULTI: Final = "ERR Command not allowed inside a transaction"
