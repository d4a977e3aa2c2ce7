//! `loupe-bench --bombs`: the exports that cost more than their bytes. Four at
//! once of 7 million empty spans (14 MB of protobuf, about 20 KB gzipped) on
//! each transport, first without a key to a Loupe with `--auth`, then to one
//! without auth; the server's peak RSS after each, and whether it still serves
//! an ordinary 10,000-span export.

use std::time::Instant;

use bytes::{Buf, BufMut, Bytes};
use prost::Message;
use tonic::codec::{Codec, CompressionEncoding, DecodeBuf, Decoder, EncodeBuf, Encoder};

use crate::servers::Servers;

/// 7 million empty spans, written straight to the wire (building them as
/// structs would take gigabytes in the benchmark itself).
pub fn bomb(spans: usize) -> Vec<u8> {
    let mut scope = Vec::with_capacity(spans * 2);
    for _ in 0..spans {
        scope.extend_from_slice(&[0x12, 0x00]); // ScopeSpans.spans = {}
    }
    let wrap = |tag: u8, inner: Vec<u8>| {
        let mut out = vec![tag];
        prost::encoding::encode_varint(inner.len() as u64, &mut out);
        out.extend_from_slice(&inner);
        out
    };
    wrap(0x0a, wrap(0x12, scope)) // Request.resource_spans[0].scope_spans[0]
}

pub fn gzip(bytes: &[u8]) -> Vec<u8> {
    use std::io::Write;
    let mut enc = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
    enc.write_all(bytes).expect("gzip in memory");
    enc.finish().expect("gzip in memory")
}

#[derive(Clone, Copy)]
struct Raw;
struct RawEnc;
struct Ignore;

impl Codec for Raw {
    type Encode = Bytes;
    type Decode = ();
    type Encoder = RawEnc;
    type Decoder = Ignore;
    fn encoder(&mut self) -> RawEnc {
        RawEnc
    }
    fn decoder(&mut self) -> Ignore {
        Ignore
    }
}

impl Encoder for RawEnc {
    type Item = Bytes;
    type Error = tonic::Status;
    fn encode(&mut self, item: Bytes, dst: &mut EncodeBuf<'_>) -> Result<(), tonic::Status> {
        dst.put(item);
        Ok(())
    }
}

impl Decoder for Ignore {
    type Item = ();
    type Error = tonic::Status;
    fn decode(&mut self, src: &mut DecodeBuf<'_>) -> Result<Option<()>, tonic::Status> {
        src.advance(src.remaining());
        Ok(Some(()))
    }
}

/// One gRPC export of raw bytes, gzipped by the client; the answer's code.
async fn grpc(addr: &str, body: Bytes) -> anyhow::Result<tonic::Code> {
    let channel = tonic::transport::Endpoint::from_shared(format!("http://{addr}"))?.connect().await?;
    let mut client = tonic::client::Grpc::new(channel).send_compressed(CompressionEncoding::Gzip).max_encoding_message_size(64 << 20);
    client.ready().await?;
    let path = http::uri::PathAndQuery::from_static("/opentelemetry.proto.collector.trace.v1.TraceService/Export");
    Ok(match client.unary(tonic::Request::new(body), path, Raw).await {
        Ok(_) => tonic::Code::Ok,
        Err(s) => s.code(),
    })
}

async fn http(client: &reqwest::Client, base: &str, gz: Vec<u8>) -> anyhow::Result<u16> {
    let r = client
        .post(format!("{base}/v1/traces"))
        .header("content-type", "application/x-protobuf")
        .header("content-encoding", "gzip")
        .body(gz)
        .send()
        .await?;
    Ok(r.status().as_u16())
}

/// Sends four bombs at once on each transport to `servers`; returns the HTTP
/// statuses and gRPC codes seen.
async fn volley(
    client: &reqwest::Client,
    servers: &Servers,
    grpc_addr: &str,
    raw: &Bytes,
    gz: &[u8],
) -> anyhow::Result<(Vec<u16>, Vec<tonic::Code>)> {
    let h = futures::future::try_join_all((0..4).map(|_| http(client, servers.base(), gz.to_vec())));
    let g = futures::future::try_join_all((0..4).map(|_| grpc(grpc_addr, raw.clone())));
    let (h, g) = futures::future::try_join(h, g).await?;
    Ok((h, g))
}

pub async fn run(spans: usize, db: Option<&str>, ordinary: Vec<u8>) -> anyhow::Result<()> {
    let raw = Bytes::from(bomb(spans));
    let gz = gzip(&raw);
    eprintln!("Bomb: {spans} empty spans, {} bytes of protobuf, {} gzipped", raw.len(), gz.len());
    let client = reqwest::Client::new();
    println!("## Export bombs: four at once per transport ({spans} empty spans, {} MB, {} KB gzipped)\n", raw.len() >> 20, gz.len() >> 10);
    println!(
        "| Loupe | HTTP answers | gRPC answers | server peak RSS (MiB) | then: 10,000-span export | time |\n|---|---|---|---|---|---|"
    );
    for auth in [true, false] {
        let grpc_port = std::net::TcpListener::bind("127.0.0.1:0")?.local_addr()?.port();
        let grpc_addr = format!("127.0.0.1:{grpc_port}");
        let mut extra = vec![format!("--grpc-addr={grpc_addr}")];
        if auth {
            extra.extend(["--auth".into(), "--admin-user=bench".into(), "--admin-password=bench password 1".into()]);
        }
        let servers = Servers::start(db, 1, &extra).await?;
        let started = Instant::now();
        let (h, g) = volley(&client, &servers, &grpc_addr, &raw, &gz).await?;
        let took = started.elapsed();
        let rss = servers.peak_rss_mib();
        let after = if auth {
            "(needs a key)".to_string()
        } else {
            let r = client
                .post(format!("{}/v1/traces", servers.base()))
                .header("content-type", "application/x-protobuf")
                .body(ordinary.clone())
                .send()
                .await?;
            format!("{}", r.status().as_u16())
        };
        let label = if auth { "`--auth`, no key" } else { "no auth" };
        println!(
            "| {label} | {h:?} | {:?} | {rss:.0} | {after} | {:.2} s |",
            g.iter().map(|c| format!("{c:?}")).collect::<Vec<_>>(),
            took.as_secs_f64()
        );
        servers.stop().await?;
    }
    Ok(())
}

/// An ordinary export: `n` spans of one trace in one request.
pub fn ordinary(n: usize) -> Vec<u8> {
    use loupe::synth::{Rng, TraceBuilder, request, s};
    use opentelemetry_proto::tonic::trace::v1::span::SpanKind::{Internal, Server};
    let mut rng = Rng::new(1);
    let end = loupe::domain::now_ns() as u64;
    let mut t = TraceBuilder::new(&mut rng);
    let root = t.span(None, "batch eval", Server, end - 10_000_000_000, end, vec![]);
    for i in 0..n.saturating_sub(1) {
        let start = end - 10_000_000_000 + i as u64 * 900_000;
        t.span(Some(root), "execute_tool lookup", Internal, start, start + 500_000, vec![s("gen_ai.operation.name", "execute_tool")]);
    }
    request("eval-runner", "bench", t.spans).encode_to_vec()
}
