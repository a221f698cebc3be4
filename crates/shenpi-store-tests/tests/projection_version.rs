//! What a store keeps beside its logs must carry the version it was built
//! by: a change to what `Project::projection` computes changes this
//! fingerprint, and must come with a new `PROJECTION_VERSION` so that stores
//! already written rebuild their projections when they next open.

use shenpi_core::runtime::{MemoryStore, PROJECTION_VERSION, Store, projection_of};
use shenpi_store_tests::random_watched_histories;

/// FNV-1a, 64 bits: the same on every platform and toolchain.
fn fnv1a(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0xcbf2_9ce4_8422_2325, |h, &b| (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3))
}

#[test]
fn the_projections_are_those_of_their_version() {
    let store = MemoryStore::new();
    random_watched_histories(&store, "V", 2026, 60, 40);
    let mut json = Vec::new();
    for id in store.list().expect("lists") {
        let (record, events) = store.load(&id).expect("loads");
        serde_json::to_writer(&mut json, &projection_of(&record, &events)).expect("serialises");
        json.push(b'\n');
    }
    let fingerprint = format!("{:016x}", fnv1a(&json));
    assert_eq!(
        (PROJECTION_VERSION, fingerprint.as_str()),
        (1, "6de9540f2bc07ea8"),
        "the projections of the same histories changed: bump PROJECTION_VERSION \
         (crates/shenpi-core/src/runtime/projection.rs) and set both figures here"
    );
}
