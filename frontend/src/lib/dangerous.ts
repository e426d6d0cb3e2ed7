/**
 * Commands the CLI asks about before running them: they destroy data wholesale or can stall a
 * node. The API applies its own guard rails; this is the "are you sure?" layer for people.
 */
export const MANY_KEYS = 10;

export interface Danger {
  command: string;
  reason: string;
}

export function dangerOf(args: string[]): Danger | null {
  if (args.length === 0) return null;
  const name = args[0].toUpperCase();
  const sub = (args[1] ?? '').toUpperCase();
  switch (name) {
    case 'FLUSHALL':
      return { command: name, reason: 'FLUSHALL deletes every key in every database of this instance.' };
    case 'FLUSHDB':
      return { command: name, reason: 'FLUSHDB deletes every key in the current database.' };
    case 'KEYS': {
      const pattern = args[1] ?? '';
      if (/^\*+$/.test(pattern)) {
        return { command: name, reason: 'KEYS * walks the whole keyspace and blocks the instance while it does; prefer SCAN.' };
      }
      return null;
    }
    case 'DEL':
    case 'UNLINK': {
      const keys = args.length - 1;
      if (keys >= MANY_KEYS) return { command: name, reason: `${name} of ${keys} keys deletes them all at once.` };
      return null;
    }
    case 'SCRIPT':
    case 'FUNCTION':
      if (sub === 'FLUSH') return { command: `${name} ${sub}`, reason: `${name} FLUSH deletes every stored ${name === 'SCRIPT' ? 'script' : 'function'}.` };
      return null;
    case 'SWAPDB':
      return { command: name, reason: 'SWAPDB swaps two whole databases for every client.' };
    default:
      return null;
  }
}

/** Commands a viewer may run (read-only). The API decides from the node's command table; this
 * list only lets the CLI explain the refusal before sending. */
const READONLY = new Set(
  `get mget strlen getrange substr exists type ttl pttl expiretime pexpiretime keys scan dbsize randomkey hget hgetall
  hmget hkeys hvals hlen hexists hstrlen hscan hrandfield lrange llen lindex lpos smembers sismember smismember scard
  srandmember sscan sinter sintercard sunion sdiff zrange zrangebyscore zrangebylex zrevrange zrevrangebyscore
  zrevrangebylex zscore zmscore zcard zcount zlexcount zrank zrevrank zscan zrandmember zinter zunion zdiff getbit
  bitcount bitpos bitfield_ro pfcount xrange xrevrange xlen xread geopos geodist geohash geosearch georadius_ro
  georadiusbymember_ro ping echo time info lastsave dump touch sort_ro lcs object memory command`
    .split(/\s+/)
    .filter(Boolean),
);

export function looksReadOnly(args: string[]): boolean {
  return args.length > 0 && READONLY.has(args[0].toLowerCase());
}
