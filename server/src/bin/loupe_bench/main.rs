//! `loupe-bench`: the ingest and query benchmark, through the real HTTP path.
//!
//! Starts `loupe serve` (the binary beside this one) on a fresh data directory (or
//! a fresh schema of `--db postgres://…`, with `--replicas` processes sharing it),
//! replays distinct pre-encoded agent-shaped OTLP batches with several concurrent
//! clients (spread over the replicas), then fills the store to `--total-spans`
//! (with one `--big-trace-spans` trace) and times the trace list and the big trace.
//! Prints a Markdown report. With tail sampling or a size cap in the serve
//! arguments, the ingest phase is reported with what sampling or retention did.
//!
//!     cargo build --release -p loupe --bins && target/release/loupe-bench

mod bombs;
mod brief;
mod logs;
mod retention;
mod sampling;
mod servers;

use std::sync::Arc;
use std::time::{Duration, Instant};

use clap::Parser;
use indicatif::{ProgressBar, ProgressStyle};
use loupe::synth::scenarios::{self, TravelOptions};
use loupe::synth::{MS, Rng, request};
use opentelemetry_proto::tonic::trace::v1::Span;
use prost::Message;
use servers::Servers;
use tokio::sync::Mutex;

#[derive(Parser, Debug)]
#[command(about = "Benchmark Loupe's ingest and queries through its real HTTP path")]
struct Args {
    /// Spans sent in the timed ingest phase.
    #[arg(long, default_value_t = 300_000)]
    spans: usize,
    /// Spans stored before the queries are timed (includes the ingest phase).
    #[arg(long, default_value_t = 1_000_000)]
    total_spans: usize,
    /// Concurrent exporting clients.
    #[arg(long, default_value_t = 4)]
    concurrency: usize,
    /// Traces per export request (agent runs of 6-7 spans each).
    #[arg(long, default_value_t = 64)]
    traces_per_request: usize,
    /// Spans of the one big trace sent before the queries (timed when opened).
    #[arg(long, default_value_t = 10_000)]
    big_trace_spans: usize,
    /// Times each query is repeated.
    #[arg(long, default_value_t = 100)]
    query_repeats: usize,
    /// Run on PostgreSQL: a database URL where the benchmark may create (and
    /// afterwards drop) a schema of its own. Default: SQLite in a temp directory.
    #[arg(long, value_name = "URL")]
    db: Option<String>,
    /// Loupe processes sharing the database (PostgreSQL only); clients are
    /// spread over them as a load balancer would.
    #[arg(long, default_value_t = 1)]
    replicas: usize,
    /// With a size cap (`--serve-arg=--max-db-size=…`): ingest phases to run,
    /// each followed by `--round-pause`, to see whether the files level off.
    #[arg(long, default_value_t = 1)]
    rounds: usize,
    /// Seconds between rounds (PostgreSQL's autovacuum looks every 60 s).
    #[arg(long, default_value_t = 0)]
    round_pause: u64,
    /// Instead of the ingest benchmark: four export bombs at once per transport
    /// (this many empty spans each; 7,000,000 is 14 MB), with and without --auth.
    #[arg(long, value_name = "SPANS")]
    bombs: Option<usize>,
    /// Log records sent beside the spans, on average per span (0: none). They
    /// go to `/v1/logs` from the same clients, interleaved with the traces.
    #[arg(long, default_value_t = 0.0)]
    logs_per_span: f64,
    /// An extra `loupe serve` argument (repeatable), e.g. `--serve-arg=--queue-spans=20000`.
    #[arg(long = "serve-arg", value_name = "ARG", allow_hyphen_values = true)]
    serve_args: Vec<String>,
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let args = Args::parse();
    loupe::tls::install();
    if let Some(spans) = args.bombs {
        return bombs::run(spans, args.db.as_deref(), bombs::ordinary(10_000)).await;
    }
    let server = Servers::start(args.db.as_deref(), args.replicas, &args.serve_args).await?;
    let client = reqwest::Client::builder().pool_max_idle_per_host(args.concurrency).build()?;
    let mut rng = Rng::new(42);

    eprintln!("Encoding {} spans of agent traffic…", args.spans);
    let batches = encode_batches(&mut rng, args.spans, args.traces_per_request, args.logs_per_span);
    let sent = count(&batches, TRACES);
    let records = count(&batches, LOGS);
    eprintln!("Ingest phase: {sent} spans and {records} log records in {} requests, {} clients", batches.len(), args.concurrency);
    let started = Instant::now();
    let (mut latencies, retries) = send_all(&client, &server.bases, batches, args.concurrency).await?;
    let wall = started.elapsed();
    if sampling::on(&client, server.base()).await? {
        return sampled_report(&client, server, sent, wall, latencies, retries).await;
    }
    if let Some(cap) = retention::cap(&client, server.base()).await? {
        return capped_report(&client, server, &args, &mut rng, (sent, wall, latencies, retries), cap).await;
    }
    let stored = stored_spans(&client, server.base()).await?;
    anyhow::ensure!(stored as usize == sent, "stored {stored} of {sent} spans");
    let stored_records = logs::stored(&client, server.base()).await?;
    anyhow::ensure!(stored_records as usize == records, "stored {stored_records} of {records} log records");
    let ingest_rss = server.peak_rss_mib();
    let bytes_per_span = server.disk_bytes().await? as f64 / stored as f64;

    eprintln!("Filling to {} spans…", args.total_spans);
    let big = fill(&client, &server.bases, &mut rng, &args).await?;
    let total = stored_spans(&client, server.base()).await?;
    let total_records = logs::stored(&client, server.base()).await?;

    eprintln!("Timing queries at {total} spans…");
    let mut rows = Vec::new();
    for (label, path) in [
        ("list, newest 50", "/api/traces?limit=50".to_string()),
        ("list, status=error", "/api/traces?limit=50&status=error".into()),
        ("list, kind=tool", "/api/traces?limit=50&kind=tool".into()),
        ("list, model=claude-3-5-sonnet-20241022", "/api/traces?limit=50&model=claude-3-5-sonnet-20241022".into()),
        ("list, service=rag-api", "/api/traces?limit=50&service=rag-api".into()),
        ("list, min_duration_ms=10000", "/api/traces?limit=50&min_duration_ms=10000".into()),
        ("list, q=lookup_order", "/api/traces?limit=50&q=lookup_order".into()),
        (&*format!("trace of {} spans", args.big_trace_spans), format!("/api/traces/{big}")),
        ("latency by kind, 7 days", "/api/stats/latency?since=7d".into()),
        ("latency by step, 7 days", "/api/stats/latency?since=7d&group_by=name".into()),
        ("latency page, 7 days, tool selected", "/latency?since=7d&kind=tool".into()),
        ("cost by model, 7 days", "/api/stats/cost?since=7d".into()),
        ("cost by user, 7 days", "/api/stats/cost?since=7d&group_by=user".into()),
        ("costs page, 7 days", "/costs?since=7d".into()),
        ("users and sessions, 7 days", "/api/stats/users?since=7d".into()),
        ("users page, 24 h", "/users".into()),
        ("trace list page with its overview, 7 days", "/?since=7d".into()),
        ("trace list page, server-rendered", "/".into()),
        ("trace list page, status=error", "/?status=error".into()),
        (&*format!("trace page of {} spans, server-rendered", args.big_trace_spans), format!("/traces/{big}")),
    ]
    .into_iter()
    .chain(
        [
            ("logs, newest 100", "/api/logs?limit=100".to_string()),
            ("logs, q=cache miss", "/api/logs?limit=100&q=cache%20miss&since=7d".into()),
            ("logs, severity=warn, 7 days", "/api/logs?limit=100&severity=warn&since=7d".into()),
            (&*format!("logs of the trace of {} spans", args.big_trace_spans), format!("/api/traces/{big}/logs")),
            ("Logs page, server-rendered", "/logs".into()),
            (&*format!("trace page of {} spans, Logs tab", args.big_trace_spans), format!("/traces/{big}?tab=logs")),
        ]
        .into_iter()
        .filter(|_| args.logs_per_span > 0.0),
    ) {
        let (p50, p99, bytes) = time_get(&client, server.base(), &path, args.query_repeats).await?;
        rows.push(format!("| `GET {}` ({label}) | {p50:.1} | {p99:.1} | {} |", path.split('?').next().unwrap(), bytes));
    }
    rows.extend(brief::rows(server.base(), &big, args.big_trace_spans, args.query_repeats).await?);
    let final_rss = server.peak_rss_mib();
    let final_bytes_per_span = server.disk_bytes().await? as f64 / total as f64;

    latencies.sort_unstable();
    let pct = |p: f64| latencies[((latencies.len() as f64 * p) as usize).min(latencies.len() - 1)].as_secs_f64() * 1e3;
    println!(
        "## Ingest on {} ({} spans, {} clients, {} traces per request)\n",
        server.backend(),
        sent,
        args.concurrency,
        args.traces_per_request
    );
    println!("| metric | value |\n|---|---|");
    println!("| stored spans/s | {:.0} |", sent as f64 / wall.as_secs_f64());
    if records > 0 {
        println!("| stored log records/s, beside the spans | {:.0} |", records as f64 / wall.as_secs_f64());
    }
    println!("| request p50 / p99 (ms) | {:.1} / {:.1} |", pct(0.50), pct(0.99));
    println!("| 503 retries | {retries} |");
    println!("| peak RSS of the server (MiB) | {ingest_rss:.0} |");
    println!("| bytes on disk per stored span{} | {bytes_per_span:.0} |", if records > 0 { " (with its records)" } else { "" });
    println!("\n## Queries at {total} stored spans and {total_records} log records ({} repeats each)\n", args.query_repeats);
    println!("| query | p50 ms | p99 ms | response bytes |\n|---|---|---|---|");
    for row in rows {
        println!("{row}");
    }
    println!(
        "\nPeak RSS of the server over the whole run: {final_rss:.0} MiB; {final_bytes_per_span:.0} bytes on disk per span at {total} spans."
    );
    server.stop().await
}

/// With tail sampling: spans acknowledged per second, then how long the
/// decisions took to catch up and what was kept (no query phase: the stored
/// set is a sample).
async fn sampled_report(
    client: &reqwest::Client,
    server: Servers,
    sent: usize,
    wall: Duration,
    mut latencies: Vec<Duration>,
    retries: usize,
) -> anyhow::Result<()> {
    let d = sampling::drain(client, &server.bases, sent as u64).await?;
    let stored = stored_spans(client, server.base()).await?;
    anyhow::ensure!(d.kept_spans + d.dropped_spans == sent as u64, "decided {} of {sent} spans", d.kept_spans + d.dropped_spans);
    anyhow::ensure!(stored == d.kept_spans, "stored {stored} spans, sampling kept {}", d.kept_spans);
    latencies.sort_unstable();
    let pct = |p: f64| latencies[((latencies.len() as f64 * p) as usize).min(latencies.len() - 1)].as_secs_f64() * 1e3;
    println!("## Ingest with tail sampling on {} ({sent} spans)\n", server.backend());
    println!("| metric | value |\n|---|---|");
    println!("| acknowledged (held) spans/s | {:.0} |", sent as f64 / wall.as_secs_f64());
    println!("| request p50 / p99 (ms) | {:.1} / {:.1} |", pct(0.50), pct(0.99));
    println!("| 503 retries | {retries} |");
    println!("| all decided, after the last export (s) | {:.1} |", d.after_last_export.as_secs_f64());
    println!(
        "| traces kept / dropped | {} / {} ({:.1}% kept) |",
        d.kept_traces,
        d.dropped_traces,
        d.kept_traces as f64 / (d.kept_traces + d.dropped_traces).max(1) as f64 * 100.0
    );
    println!("| spans kept / dropped | {} / {} |", d.kept_spans, d.dropped_spans);
    println!("| decided early at the cap | {} |", d.at_cap);
    println!("| peak RSS of the server (MiB) | {:.0} |", server.peak_rss_mib());
    server.stop().await
}

/// With a size cap: ingest while retention deletes, then the size it settled at,
/// for each round (no query phase: the stored set is what the cap left).
async fn capped_report(
    client: &reqwest::Client,
    server: Servers,
    args: &Args,
    rng: &mut Rng,
    first: (usize, Duration, Vec<Duration>, usize),
    cap: u64,
) -> anyhow::Result<()> {
    let mib = |b: u64| b as f64 / (1024.0 * 1024.0);
    let (mut sent, mut wall, mut latencies, mut retries) = first;
    let mut total = 0;
    let mut rows = Vec::new();
    for round in 1..=args.rounds {
        if round > 1 {
            eprintln!("Pausing {} s, then round {round} of {}…", args.round_pause, args.rounds);
            tokio::time::sleep(Duration::from_secs(args.round_pause)).await;
            let batches = encode_batches(rng, args.spans, args.traces_per_request, args.logs_per_span);
            sent = count(&batches, TRACES);
            let started = Instant::now();
            (latencies, retries) = send_all(client, &server.bases, batches, args.concurrency).await?;
            wall = started.elapsed();
        }
        total += sent as u64;
        let r = retention::settle(client, server.base(), cap, total).await?;
        latencies.sort_unstable();
        let pct = |p: f64| latencies[((latencies.len() as f64 * p) as usize).min(latencies.len() - 1)].as_secs_f64() * 1e3;
        rows.push(format!(
            "| {round} | {:.0} | {:.1} / {:.1} | {retries} | {} | {} | {:.1} | {:.1} | {:.1} |",
            sent as f64 / wall.as_secs_f64(),
            pct(0.50),
            pct(0.99),
            r.spans_deleted,
            r.spans_left,
            r.after_last_export.as_secs_f64(),
            mib(r.used_bytes),
            mib(r.file_bytes)
        ));
        if round == args.rounds {
            println!("## Ingest under a {:.0} MiB size cap on {} ({} spans a round)\n", mib(cap), server.backend(), sent);
            println!("Data measured as {} (see README, Retention); files: the database's files at the end of the round.\n", r.measure);
        }
    }
    println!(
        "| round | stored spans/s (acknowledged) | request p50 / p99 (ms) | 503 retries | spans deleted in all | spans left | under the cap after the last export (s) | data (MiB) | files (MiB) |"
    );
    println!("|---|---|---|---|---|---|---|---|---|");
    for row in rows {
        println!("{row}");
    }
    println!("\nPeak RSS of the server: {:.0} MiB.", server.peak_rss_mib());
    server.stop().await
}

/// One export: the endpoint, the spans or records it carries, the encoded body.
type Batch = (&'static str, usize, Vec<u8>);

const TRACES: &str = "/v1/traces";
const LOGS: &str = "/v1/logs";

/// Spans (or records) the batches to `path` carry.
fn count(batches: &[Batch], path: &str) -> usize {
    batches.iter().filter(|b| b.0 == path).map(|b| b.1).sum()
}

/// Requests of `traces_per_request` mixed agent runs until `spans` are encoded,
/// each followed by a logs request of its records when `logs_per_span` > 0.
fn encode_batches(rng: &mut Rng, spans: usize, traces_per_request: usize, logs_per_span: f64) -> Vec<Batch> {
    let now = loupe::domain::now_ns() as u64;
    let mut out = Vec::new();
    let mut total = 0;
    let mut n = 0u64;
    let mut requests = 0;
    while total < spans {
        let mut batch: Vec<Span> = Vec::new();
        for _ in 0..traces_per_request {
            n += 1;
            let t0 = now - rng.range(0, 7 * 24 * 3_600_000) * MS;
            let t = match n % 3 {
                0 => scenarios::travel_agent(rng, t0, TravelOptions { tool_timeout: n.is_multiple_of(5), fails: n.is_multiple_of(11) }),
                1 => scenarios::support_bot(rng, t0, &format!("sess-{}", n % 500), &format!("customer-{}", n % 97), (n % 20) as u32),
                _ => scenarios::rag_api(rng, t0, n.is_multiple_of(13)),
            };
            batch.extend(t.spans);
        }
        total += batch.len();
        let service = ["travel-agent", "support-bot", "rag-api"][requests % 3];
        requests += 1;
        if logs_per_span > 0.0 {
            let records = logs::records(rng, &batch, logs_per_span);
            out.push((LOGS, records.len(), logs::encode(service, records)));
        }
        out.push((TRACES, batch.len(), request(service, "bench", batch).encode_to_vec()));
    }
    out
}

/// Sends every batch with `concurrency` clients; returns each request's latency
/// and how many times the server asked to retry.
async fn send_all(
    client: &reqwest::Client,
    bases: &[String],
    batches: Vec<Batch>,
    concurrency: usize,
) -> anyhow::Result<(Vec<Duration>, usize)> {
    let bar = ProgressBar::new(batches.iter().map(|b| b.1 as u64).sum())
        .with_style(ProgressStyle::with_template("{bar:40} {pos}/{len} spans and records {per_sec}").expect("template"));
    let queue = Arc::new(Mutex::new(batches.into_iter()));
    let mut workers = Vec::new();
    for i in 0..concurrency {
        let (queue, client, bar) = (queue.clone(), client.clone(), bar.clone());
        let base = bases[i % bases.len()].clone();
        workers.push(tokio::spawn(async move {
            let mut latencies = Vec::new();
            let mut retries = 0;
            loop {
                let Some((path, n, body)) = queue.lock().await.next() else { break };
                let url = format!("{base}{path}");
                loop {
                    let started = Instant::now();
                    let r = client.post(&url).header("content-type", "application/x-protobuf").body(body.clone()).send().await?;
                    if r.status() == reqwest::StatusCode::SERVICE_UNAVAILABLE {
                        retries += 1;
                        tokio::time::sleep(Duration::from_millis(100)).await;
                        continue;
                    }
                    anyhow::ensure!(r.status().is_success(), "export failed: {}", r.status());
                    latencies.push(started.elapsed());
                    break;
                }
                bar.inc(n as u64);
            }
            anyhow::Ok((latencies, retries))
        }));
    }
    let mut all = Vec::new();
    let mut retries = 0;
    for w in workers {
        let (l, r) = w.await??;
        all.extend(l);
        retries += r;
    }
    bar.finish_and_clear();
    Ok((all, retries))
}

/// Sends more traffic until `--total-spans` spans are stored, including one
/// `--big-trace-spans`-span trace (with its records); returns that trace's id.
async fn fill(client: &reqwest::Client, bases: &[String], rng: &mut Rng, args: &Args) -> anyhow::Result<String> {
    let big = scenarios::evaluation_run(rng, loupe::domain::now_ns() as u64 - 3_600_000 * MS, args.big_trace_spans);
    let big_id = big.trace_id_hex();
    let mut chunks: Vec<Batch> = Vec::new();
    for c in big.spans.chunks(1000) {
        chunks.push((TRACES, c.len(), request("eval-runner", "bench", c.to_vec()).encode_to_vec()));
        if args.logs_per_span > 0.0 {
            let records = logs::records(rng, c, args.logs_per_span);
            chunks.push((LOGS, records.len(), logs::encode("eval-runner", records)));
        }
    }
    send_all(client, bases, chunks, args.concurrency).await?;
    loop {
        let stored = stored_spans(client, &bases[0]).await? as usize;
        if stored >= args.total_spans {
            break;
        }
        let step = (args.total_spans - stored).min(100_000);
        send_all(client, bases, encode_batches(rng, step, args.traces_per_request, args.logs_per_span), args.concurrency).await?;
    }
    Ok(big_id)
}

async fn time_get(client: &reqwest::Client, base: &str, path: &str, repeats: usize) -> anyhow::Result<(f64, f64, usize)> {
    let mut times = Vec::with_capacity(repeats);
    let mut bytes = 0;
    for _ in 0..repeats {
        let started = Instant::now();
        let r = client.get(format!("{base}{path}")).send().await?;
        anyhow::ensure!(r.status().is_success(), "{path}: {}", r.status());
        bytes = r.bytes().await?.len();
        times.push(started.elapsed().as_secs_f64() * 1e3);
    }
    times.sort_by(f64::total_cmp);
    let pct = |p: f64| times[((times.len() as f64 * p) as usize).min(times.len() - 1)];
    Ok((pct(0.5), pct(0.99), bytes))
}

async fn stored_spans(client: &reqwest::Client, base: &str) -> anyhow::Result<u64> {
    let v: serde_json::Value = client.get(format!("{base}/api/stats/summary")).send().await?.json().await?;
    Ok(v["spans"].as_u64().unwrap_or(0))
}
