//! Any bytes as an OTLP/HTTP JSON body, through the same steps as
//! `otlp_protobuf`.
#![no_main]

use libfuzzer_sys::fuzz_target;
use loupe::otlp::decode::Encoding;

fuzz_target!(|body: &[u8]| {
    loupe::fuzzing::ingest(Encoding::Json, body);
});
