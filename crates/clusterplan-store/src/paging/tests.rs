use futures::{StreamExt, TryStreamExt};

use super::page_in_id_order;
use crate::Cursor;

fn ids(cursor: Option<Cursor>, offset: u64, limit: u32) -> Vec<i64> {
    let features = futures::stream::iter([1_i64, 2, 4, 7, 9].map(Ok)).boxed();
    let page = page_in_id_order(features, |n| *n, cursor, offset, limit);
    futures::executor::block_on(page.try_collect()).expect("page")
}

#[test]
fn a_page_after_a_cursor_starts_past_it_even_when_that_id_is_gone() {
    assert_eq!(ids(Some(Cursor::After(2)), 0, 2), [4, 7]);
    assert_eq!(ids(Some(Cursor::After(3)), 0, 2), [4, 7]);
    assert_eq!(ids(Some(Cursor::After(9)), 0, 2), Vec::<i64>::new());
}

#[test]
fn a_page_before_a_cursor_is_the_last_ones_below_it_in_id_order() {
    assert_eq!(ids(Some(Cursor::Before(7)), 0, 2), [2, 4]);
    assert_eq!(ids(Some(Cursor::Before(8)), 0, 10), [1, 2, 4, 7]);
    assert_eq!(ids(Some(Cursor::Before(1)), 0, 2), Vec::<i64>::new());
}

#[test]
fn without_a_cursor_the_offset_pages() {
    assert_eq!(ids(None, 1, 3), [2, 4, 7]);
    assert_eq!(ids(None, 5, 3), Vec::<i64>::new());
}
