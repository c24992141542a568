//! A PDF: its text, page by page, through `pdf-extract` (on `lopdf`), which
//! reads Japanese fonts through their ToUnicode maps. The pages are joined
//! with form feeds, as `pdftotext` joins them, so the same clean-up applies.

use std::panic::{catch_unwind, AssertUnwindSafe};

use pdf_extract::{Document, Error as PdfError};

/// The text of a PDF, or why it cannot be read.
pub fn text(bytes: &[u8]) -> Result<String, String> {
    let doc = Document::load_mem(bytes)
        .map_err(|e| format!("the PDF cannot be read ({e}); is the file complete?"))?;
    if doc.is_encrypted() {
        let mut probe = doc.clone();
        if probe.decrypt("").is_err() {
            return Err("the PDF is protected by a password; save an unprotected copy (or copy its text) and import that".into());
        }
    }
    drop(doc);
    // pdf-extract can panic on malformed content streams: a bad file is an
    // error, never a crash.
    let previous = std::panic::take_hook();
    std::panic::set_hook(Box::new(|_| {}));
    let pages = catch_unwind(AssertUnwindSafe(|| {
        pdf_extract::extract_text_from_mem_by_pages(bytes)
    }));
    std::panic::set_hook(previous);
    let pages = match pages {
        Ok(Ok(pages)) => pages,
        Ok(Err(pdf_extract::OutputError::PdfError(PdfError::Decryption(_)))) => {
            return Err("the PDF is protected by a password; save an unprotected copy (or copy its text) and import that".into())
        }
        Ok(Err(e)) => return Err(format!("the PDF's text cannot be extracted ({e})")),
        Err(_) => return Err("the PDF's text cannot be extracted (its content is malformed)".into()),
    };
    let text = pages.join("\u{c}");
    if text.trim().is_empty() {
        return Err(
            "the PDF holds no text (is it a scan? run it through OCR first, or type it)".into(),
        );
    }
    Ok(text)
}
