"""The text of INFO: one function per section, each a pure function of the server's state.

Field names, their order and their number formats are Redis 7.0's (`genRedisInfoString`), because
monitoring tools parse them: `used_memory_human:918.96K`, `used_memory_peak_perc:100.20%`,
`db0:keys=1,expires=1,avg_ttl=0`. Values Redis gets from things a Python node does not have (a
jemalloc allocator, replication, AOF rewrites) are reported as an idle Redis reports them.

`render(server, sections)` picks sections the way Redis does: no argument means "default",
`all` adds commandstats and latencystats, `everything` adds modules too, unknown names are
ignored, and the output follows Redis's section order whatever the argument order.
"""

from __future__ import annotations

import os
import platform
import resource
import sys
import time
from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING

from miniredis_node import REDIS_VERSION

if TYPE_CHECKING:
    from miniredis_node.server import Server

Lines = list[tuple[str, object]]

# Sections in output order; `default` marks those INFO prints without arguments.
SECTION_ORDER = (
    ("server", True),
    ("clients", True),
    ("memory", True),
    ("persistence", True),
    ("stats", True),
    ("replication", True),
    ("cpu", True),
    ("modules", True),
    ("commandstats", False),
    ("errorstats", True),
    ("latencystats", False),
    ("cluster", True),
    ("keyspace", True),
)
TITLES = {"cpu": "CPU", "commandstats": "Commandstats", "errorstats": "Errorstats", "latencystats": "Latencystats"}
PAGE_SIZE = os.sysconf("SC_PAGE_SIZE") if hasattr(os, "sysconf") else 4096


def choose_sections(args: Iterable[bytes]) -> set[str]:
    """The sections INFO's arguments select (genInfoSectionDict)."""
    names = [arg.decode(errors="replace").lower() for arg in args]
    if not names:
        names = ["default"]
    chosen: set[str] = set()
    for name in names:
        if name == "default":
            chosen.update(section for section, default in SECTION_ORDER if default)
        elif name in ("all", "everything"):
            chosen.update(section for section, _ in SECTION_ORDER)
        else:
            chosen.add(name)
    return chosen


def render(server: Server, args: Iterable[bytes]) -> str:
    chosen = choose_sections(args)
    parts: list[str] = []
    for section, _ in SECTION_ORDER:
        if section not in chosen:
            continue
        title = TITLES.get(section, section.capitalize())
        lines = SECTIONS[section](server)
        parts.append(f"# {title}\r\n" + "".join(f"{name}:{value}\r\n" for name, value in lines))
    return "\r\n".join(parts)


# ---- formatting -------------------------------------------------------------------------------


def human_bytes(n: int) -> str:
    """bytesToHuman: 918.96K, 1.00M, 0B."""
    if n < 1024:
        return f"{n}B"
    for unit, power in (("K", 1), ("M", 2), ("G", 3), ("T", 4), ("P", 5)):
        if n < 1024 ** (power + 1) or unit == "P":
            return f"{n / 1024**power:.2f}{unit}"
    return f"{n}B"  # pragma: no cover


def rss_bytes() -> int:
    """The process's resident set size, from /proc/self/statm (0 where unavailable)."""
    try:
        with open("/proc/self/statm") as statm:
            return int(statm.read().split()[1]) * PAGE_SIZE
    except (OSError, IndexError, ValueError):
        return 0


def total_system_memory() -> int:
    try:
        return os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
    except (ValueError, OSError, AttributeError):
        return 0


def _ratio(a: int, b: int) -> str:
    return f"{a / b:.2f}" if b else "0.00"


# ---- sections ---------------------------------------------------------------------------------


def server_section(server: Server) -> Lines:
    now = time.time()
    uptime = int(time.monotonic() - server.started_monotonic)
    uname = platform.uname()
    hz = server.config["hz"]
    return [
        ("redis_version", REDIS_VERSION),
        ("redis_git_sha1", "00000000"),
        ("redis_git_dirty", 0),
        ("redis_build_id", "0" * 16),
        ("redis_mode", "standalone"),
        ("os", f"{uname.system} {uname.release} {uname.machine}"),
        ("arch_bits", 64 if sys.maxsize > 2**32 else 32),
        ("monotonic_clock", "POSIX clock_gettime"),
        ("multiplexing_api", "epoll"),
        ("atomicvar_api", "c11-builtin"),
        ("gcc_version", "0.0.0"),
        ("process_id", os.getpid()),
        ("process_supervised", "no"),
        ("run_id", server.run_id),
        ("tcp_port", server.port),
        ("server_time_usec", int(now * 1_000_000)),
        ("uptime_in_seconds", uptime),
        ("uptime_in_days", uptime // 86400),
        ("hz", hz),
        ("configured_hz", hz),
        ("lru_clock", int(now) & ((1 << 24) - 1)),
        ("executable", os.path.abspath(sys.argv[0]) if sys.argv and sys.argv[0] else ""),
        ("config_file", ""),
        ("io_threads_active", 0),
    ]


def clients_section(server: Server) -> Lines:
    clients = [c for c in server.clients.values() if not c.closing]
    return [
        ("connected_clients", len(clients)),
        ("cluster_connections", 0),
        ("maxclients", server.config["maxclients"]),
        ("client_recent_max_input_buffer", max((c.parser.buffered for c in clients), default=0)),
        ("client_recent_max_output_buffer", 0),
        ("blocked_clients", sum(1 for c in clients if c.blocked is not None)),
        ("tracking_clients", 0),
        ("clients_in_timeout_table", sum(1 for c in clients if c.blocked is not None)),
    ]


def memory_section(server: Server) -> Lines:
    used = server.used_memory()
    peak = max(server.used_memory_peak, used)
    rss = rss_bytes()
    startup = 880_000
    dataset = max(used - startup, 0)
    system = total_system_memory()
    maxmemory = server.maxmemory
    from miniredis_node.scripting import cached_scripts

    scripts, scripts_bytes = cached_scripts(server)
    return [
        ("used_memory", used),
        ("used_memory_human", human_bytes(used)),
        ("used_memory_rss", rss),
        ("used_memory_rss_human", human_bytes(rss)),
        ("used_memory_peak", peak),
        ("used_memory_peak_human", human_bytes(peak)),
        ("used_memory_peak_perc", f"{used * 100 / peak:.2f}%" if peak else "0.00%"),
        ("used_memory_overhead", startup),
        ("used_memory_startup", startup),
        ("used_memory_dataset", dataset),
        ("used_memory_dataset_perc", f"{dataset * 100 / used:.2f}%" if used else "0.00%"),
        ("allocator_allocated", used),
        ("allocator_active", used),
        ("allocator_resident", rss),
        ("total_system_memory", system),
        ("total_system_memory_human", human_bytes(system)),
        ("used_memory_lua", 32768),
        ("used_memory_vm_eval", 32768),
        ("used_memory_lua_human", human_bytes(32768)),
        ("used_memory_scripts_eval", scripts_bytes),
        ("number_of_cached_scripts", scripts),
        ("number_of_functions", 0),
        ("number_of_libraries", 0),
        ("used_memory_vm_functions", 32768),
        ("used_memory_vm_total", 65536),
        ("used_memory_vm_total_human", human_bytes(65536)),
        ("used_memory_functions", 0),
        ("used_memory_scripts", scripts_bytes),
        ("used_memory_scripts_human", human_bytes(scripts_bytes)),
        ("maxmemory", maxmemory),
        ("maxmemory_human", human_bytes(maxmemory)),
        ("maxmemory_policy", server.config["maxmemory-policy"]),
        ("allocator_frag_ratio", "1.00"),
        ("allocator_frag_bytes", 0),
        ("allocator_rss_ratio", _ratio(rss, used)),
        ("allocator_rss_bytes", rss - used),
        ("rss_overhead_ratio", "1.00"),
        ("rss_overhead_bytes", 0),
        ("mem_fragmentation_ratio", _ratio(rss, used)),
        ("mem_fragmentation_bytes", rss - used),
        ("mem_not_counted_for_evict", 0),
        ("mem_replication_backlog", 0),
        ("mem_total_replication_buffers", 0),
        ("mem_clients_slaves", 0),
        ("mem_clients_normal", 0),
        ("mem_cluster_links", 0),
        ("mem_aof_buffer", 0),
        ("mem_allocator", "libc"),
        ("active_defrag_running", 0),
        ("lazyfree_pending_objects", 0),
        ("lazyfreed_objects", 0),
    ]


def last_save_time(server: Server) -> int:
    """When the dataset was last saved (LASTSAVE): start-up, then each successful snapshot."""
    return server.rdb.last_save


def persistence_section(server: Server) -> Lines:
    from miniredis_node.persistence.aof import info_fields as aof_info_fields

    rdb = server.rdb.info_fields()
    return [
        ("loading", 0),
        ("async_loading", 0),
        ("current_cow_peak", 0),
        ("current_cow_size", 0),
        ("current_cow_size_age", 0),
        ("current_fork_perc", "0.00"),
        ("current_save_keys_processed", 0),
        ("current_save_keys_total", 0),
        ("rdb_changes_since_last_save", rdb["rdb_changes_since_last_save"]),
        ("rdb_bgsave_in_progress", rdb["rdb_bgsave_in_progress"]),
        ("rdb_last_save_time", rdb["rdb_last_save_time"]),
        ("rdb_last_bgsave_status", rdb["rdb_last_bgsave_status"]),
        ("rdb_last_bgsave_time_sec", rdb["rdb_last_bgsave_time_sec"]),
        ("rdb_current_bgsave_time_sec", rdb["rdb_current_bgsave_time_sec"]),
        ("rdb_saves", rdb["rdb_saves"]),
        ("rdb_last_cow_size", 0),
        ("rdb_last_load_keys_expired", rdb["rdb_last_load_keys_expired"]),
        ("rdb_last_load_keys_loaded", rdb["rdb_last_load_keys_loaded"]),
        ("aof_enabled", 1 if server.config["appendonly"] else 0),
        *aof_info_fields(server),
        ("aof_last_cow_size", 0),
        ("module_fork_in_progress", 0),
        ("module_fork_last_cow_size", 0),
        *(server.aof.info_fields() if server.aof is not None else ()),
    ]


def stats_section(server: Server) -> Lines:
    keyspace = server.keyspace
    return [
        ("total_connections_received", server.total_connections),
        ("total_commands_processed", server.stats_commands),
        ("instantaneous_ops_per_sec", server.ops_per_sec()),
        ("total_net_input_bytes", 0),
        ("total_net_output_bytes", 0),
        ("total_net_repl_input_bytes", 0),
        ("total_net_repl_output_bytes", 0),
        ("instantaneous_input_kbps", "0.00"),
        ("instantaneous_output_kbps", "0.00"),
        ("instantaneous_input_repl_kbps", "0.00"),
        ("instantaneous_output_repl_kbps", "0.00"),
        ("rejected_connections", server.rejected_connections),
        ("sync_full", 0),
        ("sync_partial_ok", 0),
        ("sync_partial_err", 0),
        ("expired_keys", keyspace.expired_keys),
        ("expired_stale_perc", "0.00"),
        ("expired_time_cap_reached_count", 0),
        ("expire_cycle_cpu_milliseconds", 0),
        ("evicted_keys", keyspace.evicted_keys),
        ("evicted_clients", 0),
        ("total_eviction_exceeded_time", 0),
        ("current_eviction_exceeded_time", 0),
        ("keyspace_hits", keyspace.hits),
        ("keyspace_misses", keyspace.misses),
        ("pubsub_channels", len(server.channels)),
        ("pubsub_patterns", len(server.patterns)),
        ("pubsubshard_channels", 0),
        ("latest_fork_usec", 0),
        ("total_forks", 0),
        ("migrate_cached_sockets", 0),
        ("slave_expires_tracked_keys", 0),
        ("active_defrag_hits", 0),
        ("active_defrag_misses", 0),
        ("active_defrag_key_hits", 0),
        ("active_defrag_key_misses", 0),
        ("total_active_defrag_time", 0),
        ("current_active_defrag_time", 0),
        ("tracking_total_keys", 0),
        ("tracking_total_items", 0),
        ("tracking_total_prefixes", 0),
        ("unexpected_error_replies", 0),
        ("total_error_replies", sum(server.error_counts.values())),
        ("dump_payload_sanitizations", 0),
        ("total_reads_processed", 0),
        ("total_writes_processed", 0),
        ("io_threaded_reads_processed", 0),
        ("io_threaded_writes_processed", 0),
        ("reply_buffer_shrinks", 0),
        ("reply_buffer_expands", 0),
    ]


def replication_section(server: Server) -> Lines:
    return [
        ("role", "master"),
        ("connected_slaves", 0),
        ("master_failover_state", "no-failover"),
        ("master_replid", server.run_id[::-1]),
        ("master_replid2", "0" * 40),
        ("master_repl_offset", 0),
        ("second_repl_offset", -1),
        ("repl_backlog_active", 0),
        ("repl_backlog_size", 1048576),
        ("repl_backlog_first_byte_offset", 0),
        ("repl_backlog_histlen", 0),
    ]


def cpu_section(server: Server) -> Lines:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    thread_kind = getattr(resource, "RUSAGE_THREAD", resource.RUSAGE_SELF)
    thread = resource.getrusage(thread_kind)
    return [
        ("used_cpu_sys", f"{usage.ru_stime:.6f}"),
        ("used_cpu_user", f"{usage.ru_utime:.6f}"),
        ("used_cpu_sys_children", f"{children.ru_stime:.6f}"),
        ("used_cpu_user_children", f"{children.ru_utime:.6f}"),
        ("used_cpu_sys_main_thread", f"{thread.ru_stime:.6f}"),
        ("used_cpu_user_main_thread", f"{thread.ru_utime:.6f}"),
    ]


def modules_section(server: Server) -> Lines:
    return []


def commandstats_section(server: Server) -> Lines:
    from miniredis_node.docs import all_commands

    lines: Lines = []
    for cmd in all_commands():
        if not (cmd.calls or cmd.rejected_calls or cmd.failed_calls):
            continue
        per_call = cmd.usec / cmd.calls if cmd.calls else 0.0
        lines.append(
            (
                f"cmdstat_{cmd.name}",
                f"calls={cmd.calls},usec={cmd.usec},usec_per_call={per_call:.2f},"
                f"rejected_calls={cmd.rejected_calls},failed_calls={cmd.failed_calls}",
            )
        )
    return lines


def errorstats_section(server: Server) -> Lines:
    return [(f"errorstat_{prefix}", f"count={count}") for prefix, count in sorted(server.error_counts.items())]


def latencystats_section(server: Server) -> Lines:
    """Per-command latency percentiles; without a histogram the mean stands for each of them."""
    from miniredis_node.docs import all_commands

    lines: Lines = []
    for cmd in all_commands():
        if cmd.calls:
            mean = cmd.usec / cmd.calls
            lines.append((f"latency_percentiles_usec_{cmd.name}", f"p50={mean:.3f},p99={mean:.3f},p99.9={mean:.3f}"))
    return lines


def cluster_section(server: Server) -> Lines:
    return [("cluster_enabled", 0)]


def average_ttl(server: Server, db_index: int) -> int:
    """Mean remaining TTL in ms of the database's volatile keys (sampled beyond 1000 keys)."""
    db = server.keyspace.dbs[db_index]
    if not db.expires:
        return 0
    now = server.keyspace.now_ms
    keys = list(db.expires) if len(db.expires) <= 1000 else db.expire_index.sample(1000)
    remaining = [max(db.expires.get(key, now) - now, 0) for key in keys]
    return sum(remaining) // len(remaining) if remaining else 0


def keyspace_section(server: Server) -> Lines:
    return [
        (f"db{db.id}", f"keys={len(db.data)},expires={len(db.expires)},avg_ttl={average_ttl(server, db.id)}")
        for db in server.keyspace.dbs
        if db.data
    ]


SECTIONS: dict[str, Callable[[Server], Lines]] = {
    "server": server_section,
    "clients": clients_section,
    "memory": memory_section,
    "persistence": persistence_section,
    "stats": stats_section,
    "replication": replication_section,
    "cpu": cpu_section,
    "modules": modules_section,
    "commandstats": commandstats_section,
    "errorstats": errorstats_section,
    "latencystats": latencystats_section,
    "cluster": cluster_section,
    "keyspace": keyspace_section,
}
