//! From the walker's output to the typed body of the model: pulldown-cmark
//! writes the HTML, and each place where hoshin's own markup goes becomes a
//! slot of its own (see [`crate::model::Slot`]), so that no byte of a document can
//! ever be read as one of hoshin's marks.

use std::cell::RefCell;
use std::fmt::{self, Write as _};

use pulldown_cmark::Event;

use super::body::Out;
use super::escape_attr;
use crate::model::{Body, DirectiveDraft};

/// The HTML writer's output goes into the body being made.
struct Writer<'s>(&'s RefCell<Body>);

impl fmt::Write for Writer<'_> {
    fn write_str(&mut self, s: &str) -> fmt::Result {
        self.0.borrow_mut().push_html(s);
        Ok(())
    }
}

/// Writes the body's HTML and puts the walker's slots in it.
///
/// The HTML writer pulls one event at a time and writes it before it pulls
/// the next, so a slot taken from the stream lands exactly where it stood.
/// An empty text event stands in for each slot: the writer then knows, as
/// with any inline content, that the output does not end a line.
pub fn segments(events: Vec<Out<'_>>, directives: &[DirectiveDraft]) -> Body {
    let made = RefCell::new(Body::default());
    let stream = events.into_iter().map(|out| match out {
        Out::Event(e) => e,
        Out::Attributes(d) => Event::Html(attributes(&directives[d]).into()),
        Out::Slot(slot) => {
            made.borrow_mut().push_slot(slot);
            Event::Text("".into())
        }
    });
    // Writing to a String cannot fail.
    let _ = pulldown_cmark::html::write_html_fmt(Writer(&made), stream);
    let mut made = made.into_inner();
    made.pack();
    made
}

/// ` id="n1-p3" class="directive depth-2" data-cite="1.(3)"`: only what a
/// reader's browser needs — the anchor, the indentation and the citation
/// that the copy tool quotes.
fn attributes(d: &DirectiveDraft) -> String {
    let mut out = String::with_capacity(64);
    let _ = write!(
        out,
        " id=\"{}\" class=\"directive depth-{}\" data-cite=\"",
        d.id, d.depth
    );
    escape_attr(&mut out, &d.citation);
    out.push('"');
    out
}
