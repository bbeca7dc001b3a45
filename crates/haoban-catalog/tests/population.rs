//! Reading a population registry that is not as it should be: the header is checked before
//! any row, bad rows are set aside with their line numbers while the rest is read, and no
//! input makes the reader panic.

mod support;

use std::io::{self, Read};

use chrono::NaiveDate;
use haoban_catalog::{Catalog, Population, PopulationError, ReadOptions, ScanPlan, Status};
use proptest::prelude::*;

fn catalog() -> Catalog {
    support::load_fixture()
}

fn read(catalog: &Catalog, csv: &[u8]) -> Result<Population, PopulationError> {
    read_with(catalog, csv, &ReadOptions::default())
}

fn read_with(
    catalog: &Catalog,
    csv: &[u8],
    options: &ReadOptions<'_>,
) -> Result<Population, PopulationError> {
    let plan = ScanPlan::new(catalog, None).expect("the fixture has a proactive item");
    Population::read(&plan, csv, options)
}

/// Each bad row as `line N: …`.
fn bad_rows(population: &Population) -> Vec<String> {
    population
        .bad_rows()
        .iter()
        .map(ToString::to_string)
        .collect()
}

/// (id, elderly-allowance status) of every resident read.
fn statuses(catalog: &Catalog, population: &Population) -> Vec<(String, Status)> {
    let plan = ScanPlan::new(catalog, None).expect("plan");
    let on = NaiveDate::from_ymd_opt(2026, 11, 27).expect("date");
    let scan = plan.scan(population, on, 2);
    scan.residents_judged()
        .map(|judged| {
            let (_, status) = judged.statuses().next().expect("one item");
            (judged.id().to_owned(), status)
        })
        .collect()
}

/// Yields its header, then fails: a reader that proves nothing after the header is read.
struct HeaderThenFail(Option<&'static [u8]>);

impl Read for HeaderThenFail {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        match self.0.take() {
            Some(header) => {
                buf[..header.len()].copy_from_slice(header);
                Ok(header.len())
            }
            None => Err(io::Error::other("rows were read")),
        }
    }
}

#[test]
fn the_header_is_checked_before_any_row_is_read() {
    let catalog = catalog();
    let plan = ScanPlan::new(&catalog, None).expect("plan");
    let refused = |header: &'static [u8]| {
        Population::read(&plan, HeaderThenFail(Some(header)), &ReadOptions::default())
            .expect_err("refused")
            .to_string()
    };
    assert_eq!(
        refused(b"id,hukou,pension\n"),
        "column `pension` is not a declared fact"
    );
    assert_eq!(
        refused(b"id,age\r\n"),
        "column `age` is a derived fact: it is computed from other facts and cannot be given"
    );
    assert_eq!(
        refused(b"hukou,birth_date\n"),
        "the header has no `id` column (the resident's id)"
    );
    assert_eq!(
        refused(b"id,hukou,hukou\n"),
        "column `hukou` appears twice in the header"
    );
    assert_eq!(refused(b"id,,hukou\n"), "the header's column 2 has no name");
    assert_eq!(
        refused(b"id,hu\"kou\n"),
        "the header (line 1) is not valid CSV: cell 2 has a double quote but does not start with one (write it as \"...\"\"...\")"
    );
    assert_eq!(
        refused(b"id,\xffhukou\n"),
        "the header's column 2 is not valid UTF-8"
    );
    // A good header: then the rows are read, and this reader fails there.
    assert_eq!(
        refused(b"id,hukou\n"),
        "cannot read the population: rows were read"
    );
}

#[test]
fn an_empty_file_has_no_header() {
    let catalog = catalog();
    for empty in [&b""[..], b"\xEF\xBB\xBF", b"\n", b"\r\n"] {
        let refused = read(&catalog, empty).expect_err("empty");
        assert!(matches!(refused, PopulationError::Empty), "{refused}");
        assert!(refused.to_string().contains("empty"), "{refused}");
    }
    // A header and nothing else is an empty population, not an error.
    let population = read(&catalog, b"id,hukou").expect("header only");
    assert_eq!(population.residents(), 0);
}

#[test]
fn bad_rows_are_reported_by_line_and_the_rest_is_read() {
    let catalog = catalog();
    let csv = "\u{feff}id,birth_date,hukou,married,members,income\n\
               a,1950-01-01,shanghai,true,2,100.5\n\
               b,1950-02-30,shanghai,,,\n\
               c,1950-01-01,beijing,yes,2.0,12 yuan\n\
               d,1950-01-01\n\
               \n\
               e,1990-01-01,other,0,3,\n\
               f,1950-01-01,shanghai,1,1,1,extra\n\
               ,1950-01-01,shanghai,,,\n\
               g,,shanghai,,,\n\
               a,1940-01-01,shanghai,,,\n";
    let population = read(&catalog, csv.as_bytes()).expect("reads");
    assert_eq!(
        bad_rows(&population),
        [
            "line 3: column `birth_date`: \"1950-02-30\" is not a date written YYYY-MM-DD",
            "line 4: column `hukou`: \"beijing\" is not one of its values (shanghai, other); \
             column `married`: \"yes\" is not a bool (true, false, 1 or 0); \
             column `members`: \"2.0\" is not an int (whole digits, between -9223372036854775808 and 9223372036854775807); \
             column `income`: \"12 yuan\" is not a decimal (a number of at most 60 digits)",
            "line 5: the row has 2 cells, the header 6",
            "line 8: the row has 7 cells, the header 6",
            "line 9: the id is empty",
            "line 11: resident \"a\" is already on line 2",
        ]
    );
    assert_eq!(population.residents(), 3);
    assert_eq!(
        statuses(&catalog, &population),
        [
            ("a".to_owned(), Status::Eligible),
            ("e".to_owned(), Status::Ineligible),
            ("g".to_owned(), Status::Unknown),
        ]
    );
}

#[test]
fn quoted_cells_and_crlf_are_read_and_lines_counted_across_them() {
    let catalog = catalog();
    // Cell `name`-like text is not a fact of the fixture, so quotes go on facts and ids.
    let csv = "id,\"hukou\",birth_date\r\n\
               \"a,1\",\"shanghai\",1950-01-01\r\n\
               \"b\r\nsecond line\",shanghai,1950-01-01\r\n\
               \"c \"\"quoted\"\"\",other,1950-01-01\r\n\
               d,shanghai,1950-13-01\r\n\
               e,\"shanghai\",1950-01-01";
    let population = read(&catalog, csv.as_bytes()).expect("reads");
    assert_eq!(
        bad_rows(&population),
        ["line 6: column `birth_date`: \"1950-13-01\" is not a date written YYYY-MM-DD"]
    );
    assert_eq!(
        statuses(&catalog, &population),
        [
            ("a,1".to_owned(), Status::Eligible),
            ("b\r\nsecond line".to_owned(), Status::Eligible),
            ("c \"quoted\"".to_owned(), Status::Ineligible),
            ("e".to_owned(), Status::Eligible),
        ]
    );
}

#[test]
fn broken_quotes_and_bytes_make_bad_rows_not_failures() {
    let catalog = catalog();
    let csv = b"id,hukou,birth_date\n\
                a,shang\"hai,1950-01-01\n\
                \"b\"x,shanghai,1950-01-01\n\
                c,\xe4\xb8,1950-01-01\n\
                \xff,shanghai,1950-01-01\n\
                d,shanghai,1950-01-01\n\
                e,\"shanghai,1950-01-01\n\
                f,shanghai,1950-01-01\n";
    let population = read(&catalog, csv).expect("reads");
    assert_eq!(
        bad_rows(&population),
        [
            "line 2: cell 2 has a double quote but does not start with one (write it as \"...\"\"...\")",
            "line 3: cell 1 has text after its closing double quote",
            "line 4: column `hukou`: the cell is not valid UTF-8",
            "line 5: the id is not valid UTF-8",
            "line 7: cell 2 opens a double quote that is never closed: the rest of the file was read as this one row",
        ]
    );
    assert_eq!(
        statuses(&catalog, &population),
        [("d".to_owned(), Status::Eligible)]
    );
}

#[test]
fn ids_can_be_checked() {
    let catalog = catalog();
    let digits_only = |id: &str| {
        if id.bytes().all(|b| b.is_ascii_digit()) {
            Ok(())
        } else {
            Err("must be digits".to_owned())
        }
    };
    let options = ReadOptions {
        check_id: Some(&digits_only),
        ..ReadOptions::default()
    };
    let population =
        read_with(&catalog, b"id,hukou\n123,shanghai\nx1,shanghai\n", &options).expect("reads");
    assert_eq!(bad_rows(&population), ["line 3: id \"x1\": must be digits"]);
    assert_eq!(population.residents(), 1);
}

#[test]
fn chunks_of_any_size_give_the_same_residents() {
    let catalog = catalog();
    let mut csv = String::from("id,birth_date,hukou\n");
    for n in 0..500 {
        let cell = if n % 7 == 0 {
            "\"sh\nanghai\""
        } else {
            "shanghai"
        };
        let year = 1930 + n % 80;
        csv.push_str(&format!("r{n},{year}-06-01,{cell}\n"));
    }
    let whole = read(&catalog, csv.as_bytes()).expect("reads");
    for (chunk_rows, threads) in [(1, 1), (7, 2), (64, 3), (10_000, 2)] {
        let options = ReadOptions {
            threads,
            chunk_rows,
            ..ReadOptions::default()
        };
        let chunked = read_with(&catalog, csv.as_bytes(), &options).expect("reads");
        assert_eq!(bad_rows(&chunked), bad_rows(&whole));
        assert_eq!(statuses(&catalog, &chunked), statuses(&catalog, &whole));
    }
    // Every seventh row's enum cell has a line break in it: a bad value, and a row on two
    // lines (row 7 starts on line 10: row 0 took lines 2 and 3).
    assert_eq!(whole.bad_rows().len(), 72);
    assert_eq!(whole.bad_rows()[1].line, 10);
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    /// Whatever the bytes, reading and scanning end without a panic.
    #[test]
    fn no_input_makes_the_reader_panic(
        header in prop::sample::select(vec!["id,hukou,birth_date,married,income\n", "id\n", "id,members\r\n"]),
        body in prop::collection::vec(
            prop::sample::select(b"a,\"\r\n0123456789-.shanghai\xff\xe4".to_vec()), 0..200),
        chunk_rows in 1usize..6,
    ) {
        let catalog = catalog();
        let mut input = header.as_bytes().to_vec();
        input.extend(body);
        let options = ReadOptions { threads: 2, chunk_rows, ..ReadOptions::default() };
        if let Ok(population) = read_with(&catalog, &input, &options) {
            let _ = statuses(&catalog, &population);
        }
    }
}
