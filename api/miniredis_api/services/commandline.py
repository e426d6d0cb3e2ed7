"""Split a command line the way redis-cli does (`sdssplitargs`): spaces separate arguments; double
quotes allow `\\n \\r \\t \\b \\a \\\\ \\" \\xHH` escapes; single quotes allow only `\\'`; a closing
quote must be followed by a space or the end of the line. Pure: no I/O."""

from __future__ import annotations

_ESCAPES = {"n": "\n", "r": "\r", "t": "\t", "b": "\b", "a": "\a"}
_HEX = "0123456789abcdefABCDEF"


class UnbalancedQuotes(ValueError):
    """The line has an unterminated quote, or a closing quote directly followed by a character."""


def split_args(line: str) -> list[str]:
    """The arguments of `line`; raises UnbalancedQuotes as redis-cli would refuse it."""
    args: list[str] = []
    i, n = 0, len(line)
    while True:
        while i < n and line[i].isspace():
            i += 1
        if i >= n:
            return args
        current: list[str] = []
        in_double = in_single = False
        while True:
            if in_double:
                if i >= n:
                    raise UnbalancedQuotes("unbalanced quotes in the command line")
                ch = line[i]
                if ch == "\\" and i + 3 < n and line[i + 1] == "x" and line[i + 2] in _HEX and line[i + 3] in _HEX:
                    current.append(chr(int(line[i + 2 : i + 4], 16)))
                    i += 3
                elif ch == "\\" and i + 1 < n:
                    i += 1
                    current.append(_ESCAPES.get(line[i], line[i]))
                elif ch == '"':
                    if i + 1 < n and not line[i + 1].isspace():
                        raise UnbalancedQuotes("closing quote must be followed by a space")
                    in_double = False
                    i += 1
                    break
                else:
                    current.append(ch)
            elif in_single:
                if i >= n:
                    raise UnbalancedQuotes("unbalanced quotes in the command line")
                ch = line[i]
                if ch == "\\" and i + 1 < n and line[i + 1] == "'":
                    i += 1
                    current.append("'")
                elif ch == "'":
                    if i + 1 < n and not line[i + 1].isspace():
                        raise UnbalancedQuotes("closing quote must be followed by a space")
                    in_single = False
                    i += 1
                    break
                else:
                    current.append(ch)
            else:
                if i >= n:
                    break
                ch = line[i]
                if ch.isspace():
                    break
                if ch == '"':
                    in_double = True
                elif ch == "'":
                    in_single = True
                else:
                    current.append(ch)
            i += 1
        args.append("".join(current))
