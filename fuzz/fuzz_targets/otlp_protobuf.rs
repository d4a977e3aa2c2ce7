//! Any bytes as an OTLP/HTTP protobuf body: decoded, converted and normalized as
//! ingest does, and the normalized span through the JSON that tail sampling
//! holds it in. Every step must return (a value or an error), never panic.
#![no_main]

use libfuzzer_sys::fuzz_target;
use loupe::otlp::decode::Encoding;

fuzz_target!(|body: &[u8]| {
    loupe::fuzzing::ingest(Encoding::Protobuf, body);
});
