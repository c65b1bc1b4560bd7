use super::*;

#[test]
fn a_page_goes_out_in_few_pieces_that_join_into_the_document() {
    let feature = format!(r#"{{"type":"Feature","id":1,"properties":{{"name":"{}"}}}}"#, "x".repeat(2_000));
    let mut chunks = Chunks::new(r#"{"features":["#.to_owned());
    let mut pieces = Vec::new();
    for i in 0..100 {
        chunks.feature(i == 0).extend_from_slice(feature.as_bytes());
        pieces.extend(chunks.full());
    }
    // ~200 kB: three full pieces, not one per feature.
    assert_eq!(pieces.len(), 3);
    assert!(pieces.iter().all(|p| p.len() >= Chunks::SIZE && p.len() < Chunks::SIZE + feature.len() + 1));
    pieces.push(chunks.finish("]}"));
    let document: Vec<u8> = pieces.concat();
    let parsed: serde_json::Value = serde_json::from_slice(&document).expect("one JSON document");
    assert_eq!(parsed["features"].as_array().map(Vec::len), Some(100));
}

#[test]
fn an_empty_page_is_one_piece() {
    let chunks = Chunks::new(r#"{"features":["#.to_owned());
    assert_eq!(&chunks.finish("]}")[..], br#"{"features":[]}"#);
}
