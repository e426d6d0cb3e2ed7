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
    "ERR Can't execute '{}': only (P|S)SUBSCRIBE / (P|S)UNSUBSCRIBE / PING / QUIT / RESET are allowed in this context"
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

# Connection, CLIENT, server administration (commands/connection.py, commands/server.py).
HELLO_PROTO_NOT_INTEGER: Final = "ERR Protocol version is not an integer or out of range"
NOPROTO: Final = "NOPROTO unsupported protocol version"
HELLO_SYNTAX: Final = "ERR Syntax error in HELLO option '{}'"
HELLO_NOAUTH: Final = (
    "NOAUTH HELLO must be called with the client already authenticated, otherwise the "
    "HELLO AUTH <user> <pass> option can be used to authenticate the client and select the RESP "
    "protocol version at the same time"
)
CLIENT_NAME_INVALID: Final = "ERR Client names cannot contain spaces, newlines or special characters."
UNKNOWN_CLIENT_TYPE: Final = "ERR Unknown client type '{}'"
INVALID_CLIENT_ID: Final = "ERR Invalid client ID"
NO_SUCH_CLIENT: Final = "ERR No such client"
CLIENT_ID_POSITIVE: Final = "ERR client-id should be greater than 0"
NO_SUCH_USER: Final = "ERR No such user '{}'"
TIMEOUT_NOT_INTEGER: Final = "ERR timeout is not an integer or out of range"
CLIENT_PAUSE_MODE: Final = "ERR CLIENT PAUSE mode must be WRITE or ALL"
SUBCOMMAND_ARGS: Final = "ERR unknown subcommand or wrong number of arguments for '{}'. Try {} HELP."
UNBLOCK_REASON: Final = "ERR CLIENT UNBLOCK reason should be TIMEOUT or ERROR"
UNBLOCKED: Final = "UNBLOCKED client unblocked via CLIENT UNBLOCK"
CONFIG_SET_FAILED: Final = "ERR CONFIG SET failed (possibly related to argument '{}') - {}"
CONFIG_SET_UNKNOWN: Final = "ERR Unknown option or number of arguments for CONFIG SET - '{}'"
CONFIG_NO_FILE: Final = "ERR The server is running without a config file"
GETKEYS_NO_KEYS: Final = "ERR The command has no key arguments"
GETKEYS_INVALID_COMMAND: Final = "ERR Invalid command specified"
GETKEYS_INVALID_ARITY: Final = "ERR Invalid number of arguments specified for command"
SLOWLOG_COUNT: Final = "ERR count should be greater than or equal to -1"
LATENCY_NO_SAMPLES: Final = "ERR No samples available for event '{}'"
NO_SHUTDOWN_IN_PROGRESS: Final = "ERR No shutdown in progress."

# Strings and bitmaps.
OFFSET_OUT_OF_RANGE: Final = "ERR offset is out of range"
DECREMENT_OVERFLOW: Final = "ERR decrement would overflow"
LCS_NOT_STRINGS: Final = "ERR The specified keys must contain string values"
LCS_LEN_AND_IDX: Final = "ERR If you want both the length and indexes, please just use IDX."
LCS_TOO_MUCH_MEMORY: Final = "ERR Insufficient memory, transient memory for LCS exceeds proto-max-bulk-len"
BITPOS_BIT: Final = "ERR The bit argument must be 1 or 0."
BITOP_NOT_ONE_KEY: Final = "ERR BITOP NOT must be called with a single source key."

# Generic key commands and transactions (commands/keys.py, commands/transactions.py).
EXPIRE_UNSUPPORTED_OPTION: Final = "ERR Unsupported option {}"
EXPIRE_NX_AND_OTHERS: Final = "ERR NX and XX, GT or LT options at the same time are not compatible"
EXPIRE_GT_AND_LT: Final = "ERR GT and LT options at the same time are not compatible"
SWAPDB_INVALID_FIRST: Final = "ERR invalid first DB index"
SWAPDB_INVALID_SECOND: Final = "ERR invalid second DB index"
OBJECT_FREQ_NOT_LFU: Final = (
    "ERR An LFU maxmemory policy is not selected, access frequency not tracked. Please note that when "
    "switching between policies at runtime LRU and LFU data will take some time to adjust."
)
OBJECT_IDLETIME_LFU: Final = (
    "ERR An LFU maxmemory policy is selected, idle time not tracked. Please note that when switching "
    "between policies at runtime LRU and LFU data will take some time to adjust."
)
EXECABORT_BECAUSE: Final = "EXECABORT Transaction discarded because of: {}"

# Hashes and sets (commands/hashes.py, commands/sets.py).
HASH_VALUE_NOT_INTEGER: Final = "ERR hash value is not an integer"
HASH_VALUE_NOT_FLOAT: Final = "ERR hash value is not a float"
VALUE_NAN_OR_INF: Final = "ERR value is NaN or Infinity"
VALUE_OUT_OF_RANGE: Final = "ERR value is out of range"
VALUE_NOT_IN_LONG_RANGE: Final = (
    "ERR value is out of range, value must between -9223372036854775807 and 9223372036854775807"
)
NUMKEYS_GREATER_THAN_ARGS: Final = "ERR Number of keys can't be greater than number of args"
LIMIT_NEGATIVE: Final = "ERR LIMIT can't be negative"
GETKEYS_INVALID_ARGS: Final = "ERR Invalid arguments specified for command"

# Lists (commands/lists.py).
LPOS_RANK_ZERO: Final = (
    "ERR RANK can't be zero: use 1 to start from the first match, 2 from the second ... "
    "or use negative to start from the end of the list"
)
LPOS_COUNT_NEGATIVE: Final = "ERR COUNT can't be negative"
LPOS_MAXLEN_NEGATIVE: Final = "ERR MAXLEN can't be negative"
INT_RANGE: Final = "ERR value is out of range, value must between {} and {}"

# Sorted sets (commands/zsets.py).
ZRANGE_LIMIT_WITHOUT_BY: Final = "ERR syntax error, LIMIT is only supported in combination with either BYSCORE or BYLEX"
ZRANGE_WITHSCORES_BYLEX: Final = "ERR syntax error, WITHSCORES not supported in combination with BYLEX"
AT_LEAST_ONE_INPUT_KEY: Final = "ERR at least 1 input key is needed for '{}' command"

# Scripting (commands/scripting.py, scripting/).
NOSCRIPT: Final = "NOSCRIPT No matching script. Please use EVAL."
NUMKEYS_NEGATIVE: Final = "ERR Number of keys can't be negative"
SCRIPT_COMPILE: Final = "ERR Error compiling script (new function): {}"
SCRIPT_INVALID_SHEBANG: Final = "ERR Invalid script shebang"
SCRIPT_UNEXPECTED_ENGINE: Final = "ERR Unexpected engine in script shebang: {}"
SCRIPT_UNKNOWN_SHEBANG_OPTION: Final = "ERR Unknown lua shebang option: {}"
SCRIPT_UNEXPECTED_FLAG: Final = "ERR Unexpected flag in script shebang: {}"
SCRIPT_RO_WITH_WRITE_FLAG: Final = "ERR Can not execute a script with write flag using *_ro command."
SCRIPT_FLUSH_OPTION: Final = "ERR SCRIPT FLUSH only support SYNC|ASYNC option"
SCRIPT_DEBUG_OPTION: Final = "ERR Use SCRIPT DEBUG YES/SYNC/NO"
SCRIPT_DEBUG_UNSUPPORTED: Final = "ERR SCRIPT DEBUG YES/SYNC is not supported by this server"
NOTBUSY: Final = "NOTBUSY No scripts in execution right now."
UNKILLABLE: Final = (
    "UNKILLABLE Sorry the script already executed write commands against the dataset. You can either "
    "wait the script termination or kill the server in a hard way using the SHUTDOWN NOSAVE command."
)
BUSY: Final = "BUSY Redis is busy running a script. You can only call SCRIPT KILL or SHUTDOWN NOSAVE."

# Streams (commands/streams.py, datatypes/stream.py).
STREAM_INVALID_ID: Final = "ERR Invalid stream ID specified as stream command argument"
XADD_ID_TOO_SMALL: Final = "ERR The ID specified in XADD is equal or smaller than the target stream top item"
XADD_ID_ZERO: Final = "ERR The ID specified in XADD must be greater than 0-0"
STREAM_EXHAUSTED: Final = "ERR The stream has exhausted the last possible ID, unable to add more items"
STREAM_MAXLEN_NEGATIVE: Final = "ERR The MAXLEN argument must be >= 0."
STREAM_LIMIT_NEGATIVE: Final = "ERR The LIMIT argument must be >= 0."
STREAM_MAXLEN_AND_MINID: Final = "ERR syntax error, MAXLEN and MINID options at the same time are not compatible"
STREAM_LIMIT_WITHOUT_STRATEGY: Final = "ERR syntax error, LIMIT cannot be used without specifying a trimming strategy"
STREAM_LIMIT_WITHOUT_TILDE: Final = "ERR syntax error, LIMIT cannot be used without the special ~ option"
XTRIM_WITHOUT_STRATEGY: Final = "ERR syntax error, XTRIM must be called with a trimming strategy"
STREAM_INVALID_START: Final = "ERR invalid start ID for the interval"
STREAM_INVALID_END: Final = "ERR invalid end ID for the interval"
XREAD_UNBALANCED: Final = "ERR Unbalanced XREAD list of streams: for each stream key an ID or '$' must be specified."
XREAD_GROUP_OPTION: Final = "ERR The GROUP option is only supported by XREADGROUP. You called XREAD instead."
XREAD_NOACK_OPTION: Final = "ERR The NOACK option is only supported by XREADGROUP. You called XREAD instead."
XREADGROUP_MISSING_GROUP: Final = "ERR Missing GROUP option for XREADGROUP"
XREADGROUP_NOGROUP: Final = "NOGROUP No such key '{}' or consumer group '{}' in XREADGROUP with GROUP option"
XREADGROUP_DOLLAR: Final = (
    "ERR The $ ID is meaningless in the context of XREADGROUP: you want to read the history of this "
    "consumer by specifying a proper ID, or use the > ID to get new messages. The $ ID would just return "
    "an empty result set."
)
XREAD_GREATER_ID: Final = (
    "ERR The > ID can be specified only when calling XREADGROUP using the GROUP <group> <consumer> option."
)
XREADGROUP_GROUP_DELETED: Final = "NOGROUP the consumer group this client was blocked on no longer exists"
XGROUP_KEY_MISSING: Final = (
    "ERR The XGROUP subcommand requires the key to exist. Note that for CREATE you may want to use the "
    "MKSTREAM option to create an empty stream automatically."
)
NOGROUP_FOR_KEY: Final = "NOGROUP No such consumer group '{}' for key name '{}'"
NOGROUP_KEY_OR_GROUP: Final = "NOGROUP No such key '{}' or consumer group '{}'"
BUSYGROUP: Final = "BUSYGROUP Consumer Group name already exists"
ENTRIESREAD_NEGATIVE: Final = "ERR value for ENTRIESREAD must be positive or -1"
XCLAIM_MIN_IDLE: Final = "ERR Invalid min-idle-time argument for XCLAIM"
XCLAIM_IDLE: Final = "ERR Invalid IDLE option argument for XCLAIM"
XCLAIM_TIME: Final = "ERR Invalid TIME option argument for XCLAIM"
XCLAIM_RETRYCOUNT: Final = "ERR Invalid RETRYCOUNT option argument for XCLAIM"
XCLAIM_UNRECOGNIZED: Final = "ERR Unrecognized XCLAIM option '{}'"
XAUTOCLAIM_MIN_IDLE: Final = "ERR Invalid min-idle-time argument for XAUTOCLAIM"
XAUTOCLAIM_COUNT: Final = "ERR COUNT must be > 0"
XSETID_ENTRIES_ADDED_NEGATIVE: Final = "ERR entries_added must be positive"
XSETID_BELOW_GIVEN_MAX_DELETED: Final = (
    "ERR The ID specified in XSETID is smaller than the provided max_deleted_entry_id"
)
XSETID_BELOW_TOP: Final = "ERR The ID specified in XSETID is smaller than the target stream top item"
XSETID_ENTRIES_ADDED_SMALL: Final = "ERR The entries_added specified in XSETID is smaller than the target stream length"
AOF_REWRITE_IN_PROGRESS: Final = "ERR Background append only file rewriting already in progress"
XAUTOCLAIM_COUNT_TOO_HIGH: Final = "ERR Insufficient memory, failed allocating transient memory, COUNT too high."

# ---- persistence: SAVE, BGSAVE, DUMP/RESTORE, DEBUG, SHUTDOWN ----
BARE_ERR: Final = "ERR"  # shared.err: SAVE and DEBUG RELOAD when the snapshot could not be written
BGSAVE_IN_PROGRESS: Final = "ERR Background save already in progress"
BGSAVE_OTHER_CHILD: Final = (
    "ERR Another child process is active (AOF?): can't BGSAVE right now. "
    "Use BGSAVE SCHEDULE in order to schedule a BGSAVE whenever possible."
)
DUMP_PAYLOAD_INVALID: Final = "ERR DUMP payload version or checksum are wrong"
BAD_DATA_FORMAT: Final = "ERR Bad data format"
BUSYKEY: Final = "BUSYKEY Target key name already exists."
RESTORE_INVALID_TTL: Final = "ERR Invalid TTL value, must be >= 0"
RESTORE_INVALID_IDLETIME: Final = "ERR Invalid IDLETIME value, must be >= 0"
RESTORE_INVALID_FREQ: Final = "ERR Invalid FREQ value, must be >= 0 and <= 255"
SHUTDOWN_FAILED: Final = "ERR Errors trying to SHUTDOWN. Check logs."
DEBUG_NOT_ALLOWED: Final = (
    'ERR DEBUG command not allowed. If the enable-debug-command option is set to "local", you can run it from '
    "a local connection, otherwise you need to set this option in the configuration file, and then restart the "
    "server."
)
DEBUG_RELOAD_OPTIONS: Final = "ERR DEBUG RELOAD only supports the MERGE, NOFLUSH and NOSAVE options."
DEBUG_RELOAD_LOAD_FAILED: Final = "ERR Error trying to load the RDB dump"

# ---- HyperLogLog, BITFIELD, SORT (commands/hyperloglog.py, bitfield.py, sort.py) ----
HLL_INVALID: Final = "WRONGTYPE Key is not a valid HyperLogLog string value."
HLL_CORRUPT: Final = "INVALIDOBJ Corrupted HLL object detected"
HLL_NO_KEY: Final = "ERR The specified key does not exist"
HLL_NOT_SPARSE: Final = "ERR HLL encoding is not sparse"
HLL_PFDEBUG_UNKNOWN: Final = "ERR Unknown PFDEBUG subcommand '{}'"
HLL_SELFTEST_FAILED: Final = "ERR TESTFAILED {}"
BITFIELD_TYPE: Final = (
    "ERR Invalid bitfield type. Use something like i16 u8. Note that u64 is not supported but i64 is."
)
BITFIELD_OVERFLOW_TYPE: Final = "ERR Invalid OVERFLOW type specified"
BITFIELD_RO_WRITE: Final = "ERR BITFIELD_RO only supports the GET subcommand"
SORT_SCORE_NOT_DOUBLE: Final = "ERR One or more scores can't be converted into double"
DEBUG_NOT_LISTPACK: Final = "ERR Not a listpack encoded object."
DEBUG_NOT_QUICKLIST: Final = "ERR Not a quicklist encoded object."
XREADGROUP_KEY_DELETED: Final = "UNBLOCKED the stream key no longer exists"
