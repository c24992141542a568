//! A PDF: its text, page by page, through `pdf-extract` (on `lopdf`), which
//! reads Japanese fonts through their ToUnicode maps. The pages are joined
//! with form feeds, as `pdftotext` joins them, so the same clean-up applies.

use std::panic::{catch_unwind, AssertUnwindSafe};

use pdf_extract::{Document, Error as PdfError};

/// The text of a PDF, or why it cannot be read.
pub fn text(bytes: &[u8]) -> Result<String, String> {
    // lopdf and pdf-extract can panic on malformed files: a bad file is an
    // error, never a crash. The panic message is not for the user.
    let previous = std::panic::take_hook();
    std::panic::set_hook(Box::new(|_| {}));
    let result = catch_unwind(AssertUnwindSafe(|| extract(bytes)));
    std::panic::set_hook(previous);
    let text = result.unwrap_or_else(|_| {
        Err("the PDF's text cannot be extracted (the file is malformed)".into())
    })?;
    if text.trim().is_empty() {
        return Err(
            "the PDF holds no text (is it a scan? run it through OCR first, or type it)".into(),
        );
    }
    Ok(text)
}

const PROTECTED: &str =
    "the PDF is protected by a password; save an unprotected copy (or copy its text) and import that";

fn extract(bytes: &[u8]) -> Result<String, String> {
    let doc = Document::load_mem(bytes)
        .map_err(|e| format!("the PDF cannot be read ({e}); is the file complete?"))?;
    if doc.is_encrypted() {
        // Only an owner password (printing, copying) opens with an empty user password.
        let mut probe = doc.clone();
        if probe.decrypt("").is_err() {
            return Err(PROTECTED.into());
        }
    }
    drop(doc);
    match pdf_extract::extract_text_from_mem_by_pages(bytes) {
        Ok(pages) => Ok(pages.join("\u{c}")),
        Err(pdf_extract::OutputError::PdfError(PdfError::Decryption(_))) => Err(PROTECTED.into()),
        Err(e) => Err(format!("the PDF's text cannot be extracted ({e})")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fixture(name: &str) -> Vec<u8> {
        let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("tests/fixtures/import")
            .join(name);
        std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
    }

    #[test]
    fn a_printed_policy_gives_its_japanese_text_page_by_page() {
        let text = text(&fixture("kikaku.pdf")).unwrap();
        assert!(
            text.contains("令和６年度企画部の運営方針について"),
            "{text}"
        );
        assert!(
            text.contains("① 総合計画後期基本計画の初年度として"),
            "{text}"
        );
        assert_eq!(text.matches('\u{c}').count(), 1, "two pages");
    }

    #[test]
    fn a_password_a_cut_file_and_noise_are_errors() {
        assert!(text(&fixture("locked.pdf"))
            .unwrap_err()
            .contains("password"));
        assert!(text(&fixture("broken.pdf"))
            .unwrap_err()
            .contains("cannot be read"));
        let mut noise = b"%PDF-1.7\n".to_vec();
        noise.extend((0..4000u32).map(|i| (i.wrapping_mul(2654435761) >> 13) as u8));
        assert!(text(&noise).is_err());
    }
}
