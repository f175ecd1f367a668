//! Every mistake a user can make in the chain is a compile error pointing at the wrong token,
//! one mistake per file in `tests/ui/`, with the reviewed compiler output beside it.

#[test]
fn ui() {
    let t = trybuild::TestCases::new();
    t.compile_fail("tests/ui/*.rs");
}
