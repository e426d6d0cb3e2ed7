// Exercises a MiniRedis node through ioredis: plain commands, a pipeline, MULTI/EXEC, pub/sub.
// Usage: node ioredis_check.js PORT  — prints one JSON line with what each step returned.
const Redis = require("ioredis");

async function main() {
  const port = Number(process.argv[2]);
  const redis = new Redis({ port, host: "127.0.0.1", lazyConnect: true, maxRetriesPerRequest: 1 });
  const sub = new Redis({ port, host: "127.0.0.1", lazyConnect: true, maxRetriesPerRequest: 1 });
  await redis.connect();
  await sub.connect();
  const out = {};
  out.set = await redis.set("js:key", "value", "EX", 100);
  out.get = await redis.get("js:key");
  out.incr = await redis.incrby("js:counter", 5);
  out.pipeline = (await redis.pipeline().rpush("js:list", "a", "b", "c").lrange("js:list", 0, -1).exec())
    .map(([err, value]) => (err ? String(err) : value));
  out.multi = (await redis.multi().hset("js:hash", "f", "v").hgetall("js:hash").exec())
    .map(([err, value]) => (err ? String(err) : value));
  try {
    await redis.lpush("js:key", "x");
  } catch (error) {
    out.wrongtype = error.message;
  }
  const received = new Promise((resolve) => sub.on("message", (channel, message) => resolve([channel, message])));
  await sub.subscribe("js:channel");
  out.published = await redis.publish("js:channel", "hello");
  out.message = await received;
  out.zadd = await redis.zadd("js:z", 1.5, "m");
  out.zscore = await redis.zscore("js:z", "m");
  console.log(JSON.stringify(out));
  redis.disconnect();
  sub.disconnect();
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
