//! Loading a catalog directory: every file read, every key and reference checked, every
//! condition parsed and type-checked. All problems are collected, not just the first.

use std::collections::{BTreeMap, HashMap};
use std::fs;
use std::path::Path;
use std::sync::Arc;

use chrono::Datelike;
use chrono_tz::Tz;
use indexmap::IndexMap;
use sha2::{Digest, Sha256};
use toml_edit::{Document, Item as TomlItem, TableLike};

use crate::calendar::{Calendar, YearDays, is_weekend};
use crate::catalog::{
    Bundle, Catalog, Category, Condition, Eligibility, Fact, FactType, Item, ItemMaterial,
    Material, MaterialForm,
};
use crate::expr::{self, Checker, FactSignature, Type};
use crate::source::{Problem, Problems, SourceFile};
use crate::text::{Locale, Text};
use crate::toml_read::{ExprSource, IdKind, Reader, Spanned, item_span, valid_id};
use crate::value::parse_date;

impl Catalog {
    /// Loads and validates the catalog in `dir`. Paths in problems are `dir` joined with
    /// the file's place in the catalog, so they read as the caller named the directory.
    pub fn load(dir: &Path) -> Result<Catalog, Problems> {
        Loader::default().load(dir)
    }
}

#[derive(Default)]
struct Loader {
    problems: Vec<Problem>,
    hasher: Sha256,
}

/// A fact as read, before its `derive` is compiled (that needs every fact's type).
struct RawFact {
    id: String,
    ty: FactType,
    label: Option<Text>,
    derive: Option<ExprSource>,
}

struct RawItem {
    item: Item,
    file: usize,
    category: Spanned<String>,
    materials: Vec<(Spanned<String>, u32, Option<ExprSource>)>,
    eligible: Option<ExprSource>,
}

impl Loader {
    fn load(mut self, dir: &Path) -> Result<Catalog, Problems> {
        if !dir.is_dir() {
            self.problems
                .push(Problem::file(dir, "not a catalog directory"));
            return Err(Problems(self.problems));
        }
        let catalog_file = self.read(dir, "catalog.toml", true);
        let facts_file = self.read(dir, "facts.toml", true);
        let materials_file = self.read(dir, "materials.toml", true);
        let categories_file = self.read(dir, "categories.toml", true);
        let bundles_file = self.read(dir, "bundles.toml", false);
        let item_files = self.read_folder(dir, "items", true);
        let calendar_files = self.read_folder(dir, "calendar", false);

        let header = catalog_file.as_ref().and_then(|f| self.header(f));
        let raw_facts = facts_file
            .as_ref()
            .map(|f| self.facts(f))
            .unwrap_or_default();
        // `None` when the file is missing or not TOML: references into it are then not
        // reported again, item by item, on top of the one problem that matters.
        let materials = materials_file.as_ref().and_then(|f| self.materials(f));
        let categories = categories_file.as_ref().and_then(|f| self.categories(f));
        let raw_items: Vec<RawItem> = item_files
            .iter()
            .enumerate()
            .filter_map(|(index, file)| self.item(file, index))
            .collect();
        let bundles = bundles_file
            .as_ref()
            .map(|f| self.bundles(f))
            .unwrap_or_default();
        let calendar = self.calendar(&calendar_files);

        let signatures: IndexMap<String, FactSignature> = raw_facts
            .iter()
            .map(|f| {
                (
                    f.id.clone(),
                    FactSignature {
                        ty: f.ty.expr_type(),
                    },
                )
            })
            .collect();
        let checker = Checker::new(&signatures);
        let (facts, derive_order) = match &facts_file {
            Some(file) => self.compile_facts(file, raw_facts, &checker),
            None => (IndexMap::new(), Vec::new()),
        };
        let items = self.compile_items(
            &item_files,
            raw_items,
            &checker,
            materials.as_ref(),
            categories.as_ref(),
        );
        if let Some(file) = &bundles_file {
            self.check_bundles(file, &bundles, &items);
        }

        let version = hex(&self.hasher.finalize());
        match header {
            Some((name, default_locale, time_zone)) if self.problems.is_empty() => Ok(Catalog {
                name,
                default_locale,
                time_zone,
                version,
                facts,
                materials: materials
                    .unwrap_or_default()
                    .into_iter()
                    .map(|(k, (m, _))| (k, m))
                    .collect(),
                categories: categories
                    .unwrap_or_default()
                    .into_iter()
                    .map(|(k, (c, _))| (k, c))
                    .collect(),
                items,
                bundles: bundles.into_iter().map(|(k, (b, _))| (k, b)).collect(),
                calendar,
                derive_order,
            }),
            _ => Err(Problems(self.problems)),
        }
    }

    fn read(&mut self, dir: &Path, name: &str, required: bool) -> Option<SourceFile> {
        let path = dir.join(name);
        match fs::read(&path) {
            Ok(bytes) => {
                self.hasher.update(name.as_bytes());
                self.hasher.update([0]);
                self.hasher.update(&bytes);
                self.hasher.update([0]);
                match String::from_utf8(bytes) {
                    Ok(text) => Some(SourceFile::new(path, text)),
                    Err(_) => {
                        self.problems
                            .push(Problem::file(&path, "file is not valid UTF-8"));
                        None
                    }
                }
            }
            Err(err) if err.kind() == std::io::ErrorKind::NotFound && !required => None,
            Err(err) if err.kind() == std::io::ErrorKind::NotFound => {
                self.problems
                    .push(Problem::file(&path, "required file is missing"));
                None
            }
            Err(err) => {
                self.problems
                    .push(Problem::file(&path, format!("cannot read file: {err}")));
                None
            }
        }
    }

    /// The `.toml` files of a sub-folder, sorted by name.
    fn read_folder(&mut self, dir: &Path, folder: &str, required: bool) -> Vec<SourceFile> {
        let path = dir.join(folder);
        let entries = match fs::read_dir(&path) {
            Ok(entries) => entries,
            Err(err) if err.kind() == std::io::ErrorKind::NotFound => {
                if required {
                    self.problems
                        .push(Problem::file(&path, "required folder is missing"));
                }
                return Vec::new();
            }
            Err(err) => {
                self.problems
                    .push(Problem::file(&path, format!("cannot read folder: {err}")));
                return Vec::new();
            }
        };
        let mut names: Vec<String> = entries
            .filter_map(|entry| entry.ok())
            .filter(|entry| entry.path().is_file())
            .filter_map(|entry| entry.file_name().into_string().ok())
            .filter(|name| name.ends_with(".toml"))
            .collect();
        names.sort();
        names
            .iter()
            .filter_map(|name| self.read(dir, &format!("{folder}/{name}"), true))
            .collect()
    }

    fn header(&mut self, file: &SourceFile) -> Option<(Text, Locale, Tz)> {
        let mut r = Reader::new(file, &mut self.problems);
        let doc = r.parse()?;
        let table = doc.as_table();
        r.check_keys(
            table,
            &["name", "default_locale", "time_zone"],
            "catalog.toml",
        );
        let name = r
            .require(table, None, "name", "catalog.toml")
            .and_then(|item| r.text(item, "name"));
        let locale = match table.get("default_locale") {
            None => Some(Locale::Zh),
            Some(item) => r.string(item, "default_locale").and_then(|code| {
                let locale = Locale::parse(&code.value);
                if locale.is_none() {
                    r.report(code.span, "default_locale must be \"zh\" or \"en\"");
                }
                locale
            }),
        };
        let time_zone = match table.get("time_zone") {
            None => Some(Tz::Asia__Shanghai),
            Some(item) => r.string(item, "time_zone").and_then(|zone| {
                let tz = zone.value.parse::<Tz>().ok();
                if tz.is_none() {
                    r.report(
                        zone.span,
                        format!(
                            "unknown time zone `{}` (an IANA name such as Asia/Shanghai)",
                            zone.value
                        ),
                    );
                }
                tz
            }),
        };
        Some((name?, locale?, time_zone?))
    }

    /// The entries of a file whose top level is a table per id, in declaration order,
    /// with bad ids and non-table entries reported.
    fn entries<'d>(
        r: &mut Reader<'_>,
        doc: &'d Document<String>,
        kind: IdKind,
        what: &str,
    ) -> Vec<(Spanned<String>, &'d dyn TableLike, &'d TomlItem)> {
        let root = doc.as_table();
        let mut out = Vec::new();
        for (key, item) in root.iter() {
            let id = Spanned {
                value: key.to_owned(),
                span: root.key(key).and_then(|k| k.span()),
            };
            if !r.id(&id, kind, what) {
                continue;
            }
            if let Some(table) = r.table(item, &format!("{what} `{key}`")) {
                out.push((id, table, item));
            }
        }
        out
    }

    fn facts(&mut self, file: &SourceFile) -> Vec<RawFact> {
        let mut r = Reader::new(file, &mut self.problems);
        let Some(doc) = r.parse() else {
            return Vec::new();
        };
        let mut facts = Vec::new();
        for (id, table, item) in Self::entries(&mut r, &doc, IdKind::Fact, "fact") {
            let what = format!("fact `{}`", id.value);
            r.check_keys(table, &["type", "label", "values", "derive"], &what);
            let declared = r
                .require(table, item_span(item), "type", &what)
                .and_then(|t| r.string(t, &format!("{what}: type")));
            let values = table.get("values");
            let ty = match declared.as_ref().map(|t| t.value.as_str()) {
                Some("bool") => Some(FactType::Bool),
                Some("int") => Some(FactType::Int),
                Some("decimal") => Some(FactType::Decimal),
                Some("string") => Some(FactType::String),
                Some("date") => Some(FactType::Date),
                Some("enum") => fact_values(&mut r, table, item, &what).map(FactType::Enum),
                Some(other) => {
                    r.report(
                        declared.as_ref().and_then(|t| t.span.clone()),
                        format!("{what}: unknown type `{other}` (bool, int, decimal, string, date or enum)"),
                    );
                    None
                }
                None => None,
            };
            if let (Some(ty), Some(values)) = (&ty, values)
                && !matches!(ty, FactType::Enum(_))
            {
                r.report(
                    values.span(),
                    format!("{what}: `values` is only for enum facts"),
                );
            }
            let label = table
                .get("label")
                .and_then(|l| r.text(l, &format!("{what}: label")));
            let derive = table
                .get("derive")
                .and_then(|d| r.expression(d, &format!("{what}: derive")));
            if let Some(ty) = ty {
                facts.push(RawFact {
                    id: id.value,
                    ty,
                    label,
                    derive,
                });
            }
        }
        facts
    }

    fn materials(
        &mut self,
        file: &SourceFile,
    ) -> Option<IndexMap<String, (Material, Spanned<String>)>> {
        let mut r = Reader::new(file, &mut self.problems);
        let doc = r.parse()?;
        let mut materials = IndexMap::new();
        for (id, table, item) in Self::entries(&mut r, &doc, IdKind::Thing, "material") {
            let what = format!("material `{}`", id.value);
            r.check_keys(table, &["name", "form", "e_licence"], &what);
            let name = r
                .require(table, item_span(item), "name", &what)
                .and_then(|n| r.text(n, &format!("{what}: name")));
            let form = r
                .require(table, item_span(item), "form", &what)
                .and_then(|f| r.string(f, &format!("{what}: form")))
                .and_then(|form| {
                    let found = MaterialForm::ALL
                        .iter()
                        .find(|(name, _)| *name == form.value)
                        .map(|(_, f)| *f);
                    if found.is_none() {
                        r.report(
                            form.span,
                            format!(
                                "{what}: unknown form `{}` (original, copy, form, photo or electronic)",
                                form.value
                            ),
                        );
                    }
                    found
                });
            let e_licence = match table.get("e_licence") {
                Some(v) => r.bool(v, &format!("{what}: e_licence")),
                None => Some(false),
            };
            if let (Some(name), Some(form), Some(e_licence)) = (name, form, e_licence) {
                let material = Material {
                    id: id.value.clone(),
                    name,
                    form,
                    e_licence,
                };
                materials.insert(id.value.clone(), (material, id));
            }
        }
        Some(materials)
    }

    fn categories(
        &mut self,
        file: &SourceFile,
    ) -> Option<IndexMap<String, (Category, Spanned<String>)>> {
        let mut r = Reader::new(file, &mut self.problems);
        let doc = r.parse()?;
        let mut read = Vec::new();
        for (id, table, item) in Self::entries(&mut r, &doc, IdKind::Thing, "category") {
            let what = format!("category `{}`", id.value);
            r.check_keys(table, &["name", "parent"], &what);
            let name = r
                .require(table, item_span(item), "name", &what)
                .and_then(|n| r.text(n, &format!("{what}: name")));
            let parent = table
                .get("parent")
                .and_then(|p| r.string(p, &format!("{what}: parent")));
            if let Some(name) = name {
                read.push((id, name, parent));
            }
        }
        let parents: HashMap<&str, Option<&str>> = read
            .iter()
            .map(|(id, _, parent)| (id.value.as_str(), parent.as_ref().map(|p| p.value.as_str())))
            .collect();
        for (id, _, parent) in &read {
            let Some(parent) = parent else { continue };
            match parents.get(parent.value.as_str()) {
                None => r.report(
                    parent.span.clone(),
                    format!("category `{}`: parent `{}` is not a category", id.value, parent.value),
                ),
                Some(_) if parent.value == id.value => r.report(
                    parent.span.clone(),
                    format!("category `{}` cannot be its own parent", id.value),
                ),
                Some(Some(grandparent)) => r.report(
                    parent.span.clone(),
                    format!(
                        "category `{}`: parent `{}` is itself under `{grandparent}`; categories have at most two levels",
                        id.value, parent.value
                    ),
                ),
                Some(None) => {}
            }
        }
        let categories = read
            .into_iter()
            .map(|(id, name, parent)| {
                let category = Category {
                    id: id.value.clone(),
                    name,
                    parent: parent.map(|p| p.value),
                };
                (id.value.clone(), (category, id))
            })
            .collect();
        Some(categories)
    }

    fn item(&mut self, file: &SourceFile, index: usize) -> Option<RawItem> {
        let stem = file.path.file_stem()?.to_string_lossy().into_owned();
        let mut r = Reader::new(file, &mut self.problems);
        if !valid_id(&stem, IdKind::Thing) {
            r.report(
                None,
                format!("item file name `{stem}` is not a valid item id ([a-z0-9][a-z0-9-]*)"),
            );
            return None;
        }
        let doc = r.parse()?;
        let table = doc.as_table();
        let what = format!("item `{stem}`");
        r.check_keys(
            table,
            &[
                "name",
                "category",
                "department",
                "eligible",
                "promised_days",
                "value_points",
                "channels",
                "proactive",
                "materials",
            ],
            &what,
        );
        let field = |r: &mut Reader<'_>, key: &str| r.require(table, None, key, &what);
        let name = field(&mut r, "name").and_then(|i| r.text(i, "name"));
        let category = field(&mut r, "category").and_then(|i| r.string(i, "category"));
        let department = field(&mut r, "department").and_then(|i| r.text(i, "department"));
        let promised_days =
            field(&mut r, "promised_days").and_then(|i| r.count(i, "promised_days"));
        let value_points = field(&mut r, "value_points").and_then(|i| r.decimal(i, "value_points"));
        if let (Some(points), Some(item)) = (value_points, table.get("value_points"))
            && points.is_sign_negative()
        {
            r.report(item.span(), "value_points must not be negative");
        }
        let channels = field(&mut r, "channels")
            .and_then(|i| r.string_list(i, "channels"))
            .map(|channels| checked_channels(&mut r, channels));
        let proactive = match table.get("proactive") {
            Some(p) => r.bool(p, "proactive"),
            None => Some(false),
        };
        let eligible = table
            .get("eligible")
            .and_then(|e| r.expression(e, "eligible"));
        let materials = field(&mut r, "materials").map(|m| item_materials(&mut r, m));

        Some(RawItem {
            item: Item {
                id: stem,
                name: name?,
                category: category.clone()?.value,
                department: department?,
                eligible: None,
                promised_days: promised_days?,
                value_points: value_points?,
                channels: channels?,
                proactive: proactive?,
                materials: Vec::new(),
            },
            file: index,
            category: category?,
            materials: materials?,
            eligible,
        })
    }

    fn bundles(&mut self, file: &SourceFile) -> IndexMap<String, (Bundle, Vec<Spanned<String>>)> {
        let mut r = Reader::new(file, &mut self.problems);
        let Some(doc) = r.parse() else {
            return IndexMap::new();
        };
        let mut bundles = IndexMap::new();
        for (id, table, item) in Self::entries(&mut r, &doc, IdKind::Thing, "bundle") {
            let what = format!("bundle `{}`", id.value);
            r.check_keys(table, &["name", "items"], &what);
            let name = r
                .require(table, item_span(item), "name", &what)
                .and_then(|n| r.text(n, &format!("{what}: name")));
            let items = r
                .require(table, item_span(item), "items", &what)
                .and_then(|i| r.string_list(i, &format!("{what}: items")));
            if let Some(items) = &items
                && items.is_empty()
            {
                r.report(item_span(item), format!("{what} lists no items"));
            }
            if let (Some(name), Some(items)) = (name, items) {
                let bundle = Bundle {
                    id: id.value.clone(),
                    name,
                    items: items.iter().map(|i| i.value.clone()).collect(),
                };
                bundles.insert(id.value, (bundle, items));
            }
        }
        bundles
    }

    fn calendar(&mut self, files: &[SourceFile]) -> Calendar {
        let mut years = BTreeMap::new();
        for file in files {
            let mut r = Reader::new(file, &mut self.problems);
            let stem = file
                .path
                .file_stem()
                .map(|s| s.to_string_lossy().into_owned());
            let year = stem
                .as_deref()
                .filter(|s| s.len() == 4 && s.bytes().all(|b| b.is_ascii_digit()))
                .and_then(|s| s.parse::<i32>().ok());
            let Some(year) = year else {
                r.report(
                    None,
                    "calendar files are named by year, e.g. calendar/2026.toml",
                );
                continue;
            };
            let Some(doc) = r.parse() else { continue };
            let table = doc.as_table();
            r.check_keys(table, &["holidays", "workdays"], "a calendar file");
            let mut days = YearDays::default();
            for (key, weekend_expected) in [("holidays", false), ("workdays", true)] {
                let Some(list) = r
                    .require(table, None, key, "the calendar file")
                    .and_then(|i| r.string_list(i, key))
                else {
                    continue;
                };
                for entry in list {
                    let Some(day) = parse_date(&entry.value) else {
                        r.report(
                            entry.span,
                            format!("`{}` is not a date written YYYY-MM-DD", entry.value),
                        );
                        continue;
                    };
                    let problem = if day.year() != year {
                        Some(format!("{} is not in {year}", entry.value))
                    } else if is_weekend(day) != weekend_expected {
                        Some(if weekend_expected {
                            format!(
                                "{} is a weekday; workdays lists make-up working days on weekends",
                                entry.value
                            )
                        } else {
                            format!(
                                "{} is a weekend day; holidays lists days off that would be weekdays",
                                entry.value
                            )
                        })
                    } else {
                        None
                    };
                    let set = if weekend_expected {
                        &mut days.workdays
                    } else {
                        &mut days.holidays
                    };
                    if let Some(problem) = problem {
                        r.report(entry.span, problem);
                    } else if !set.insert(day) {
                        r.report(entry.span, format!("{} is listed twice", entry.value));
                    }
                }
            }
            years.insert(year, days);
        }
        Calendar::new(years)
    }

    /// Compiles every `derive`, checks it has the fact's type and that no derived fact
    /// depends on itself, and orders derived facts so each comes after what it needs.
    fn compile_facts(
        &mut self,
        file: &SourceFile,
        raw: Vec<RawFact>,
        checker: &Checker<'_>,
    ) -> (IndexMap<String, Fact>, Vec<usize>) {
        let mut facts = IndexMap::new();
        // For each derived fact: the derived facts its expression names, and where.
        let mut edges: Vec<(usize, Vec<(usize, usize)>)> = Vec::new();
        for (slot, fact) in raw.into_iter().enumerate() {
            let what = format!("fact `{}`: derive", fact.id);
            let derive = fact.derive.as_ref().and_then(|source| {
                let ast = self.parse_expr(file, source)?;
                let deps = ast
                    .names()
                    .into_iter()
                    .filter_map(|(name, span)| {
                        let index = checker.slot(name)?;
                        Some((index, source.offset_of(span.start)))
                    })
                    .collect();
                edges.push((slot, deps));
                let (program, ty) = self.check_expr(file, source, &ast, checker)?;
                let expected = fact.ty.expr_type();
                let fits = ty == expected
                    || (expected == Type::Decimal && ty == Type::Int)
                    || (matches!(expected, Type::Enum(_)) && ty == Type::Str);
                if !fits {
                    self.problems.push(file.problem_at(
                        source.offset_of(0),
                        format!("{what} gives {ty}, but the fact is declared {}", fact.ty),
                    ));
                    return None;
                }
                Some(Condition {
                    source: source.text.clone(),
                    program,
                })
            });
            facts.insert(
                fact.id.clone(),
                Fact {
                    id: fact.id,
                    ty: fact.ty,
                    label: fact.label,
                    derive,
                },
            );
        }
        let order = self.derive_order(file, &facts, &edges);
        (facts, order)
    }

    fn derive_order(
        &mut self,
        file: &SourceFile,
        facts: &IndexMap<String, Fact>,
        edges: &[(usize, Vec<(usize, usize)>)],
    ) -> Vec<usize> {
        #[derive(Clone, Copy, PartialEq)]
        enum Mark {
            New,
            Active,
            Done,
        }
        let deps: HashMap<usize, &Vec<(usize, usize)>> =
            edges.iter().map(|(slot, deps)| (*slot, deps)).collect();
        let mut marks = vec![Mark::New; facts.len()];
        let mut order = Vec::new();
        let mut path = Vec::new();
        fn visit(
            slot: usize,
            deps: &HashMap<usize, &Vec<(usize, usize)>>,
            marks: &mut [Mark],
            path: &mut Vec<usize>,
            order: &mut Vec<usize>,
            cycles: &mut Vec<(usize, String)>,
            names: &dyn Fn(usize) -> String,
        ) {
            marks[slot] = Mark::Active;
            path.push(slot);
            for &(dep, offset) in deps.get(&slot).map(|d| d.as_slice()).unwrap_or_default() {
                if !deps.contains_key(&dep) {
                    continue;
                }
                match marks[dep] {
                    Mark::New => visit(dep, deps, marks, path, order, cycles, names),
                    Mark::Active => {
                        let start = path.iter().position(|&s| s == dep).unwrap_or(0);
                        let mut chain: Vec<String> =
                            path[start..].iter().map(|&s| names(s)).collect();
                        chain.push(names(dep));
                        cycles.push((offset, format!("derive cycle: {}", chain.join(" -> "))));
                    }
                    Mark::Done => {}
                }
            }
            path.pop();
            marks[slot] = Mark::Done;
            order.push(slot);
        }
        let names = |slot: usize| {
            facts
                .get_index(slot)
                .map(|(id, _)| id.clone())
                .unwrap_or_default()
        };
        let mut cycles = Vec::new();
        for (slot, _) in edges {
            if marks[*slot] == Mark::New {
                visit(
                    *slot,
                    &deps,
                    &mut marks,
                    &mut path,
                    &mut order,
                    &mut cycles,
                    &names,
                );
            }
        }
        for (offset, message) in cycles {
            self.problems.push(file.problem_at(offset, message));
        }
        order
    }

    fn compile_items(
        &mut self,
        files: &[SourceFile],
        raw_items: Vec<RawItem>,
        checker: &Checker<'_>,
        materials: Option<&IndexMap<String, (Material, Spanned<String>)>>,
        categories: Option<&IndexMap<String, (Category, Spanned<String>)>>,
    ) -> IndexMap<String, Item> {
        let mut items = IndexMap::new();
        for raw in raw_items {
            let file = &files[raw.file];
            let mut item = raw.item;
            if categories.is_some_and(|c| !c.contains_key(&raw.category.value)) {
                self.problems.push(file.problem(
                    raw.category.span.clone(),
                    format!("unknown category `{}`", raw.category.value),
                ));
            }
            if let Some(source) = &raw.eligible {
                item.eligible = self.eligibility(file, source, checker);
            }
            let mut seen = Vec::new();
            for (id, copies, when) in raw.materials {
                let Some(materials) = materials else { continue };
                let Some(index) = materials.get_index_of(&id.value) else {
                    self.problems.push(
                        file.problem(id.span.clone(), format!("unknown material `{}`", id.value)),
                    );
                    continue;
                };
                if seen.contains(&index) {
                    self.problems.push(file.problem(
                        id.span.clone(),
                        format!("material `{}` is listed twice", id.value),
                    ));
                    continue;
                }
                seen.push(index);
                let when = when.and_then(|source| self.condition(file, &source, checker, "when"));
                item.materials.push(ItemMaterial {
                    id: id.value,
                    index,
                    copies,
                    when,
                });
            }
            items.insert(item.id.clone(), item);
        }
        items
    }

    fn check_bundles(
        &mut self,
        file: &SourceFile,
        bundles: &IndexMap<String, (Bundle, Vec<Spanned<String>>)>,
        items: &IndexMap<String, Item>,
    ) {
        for (bundle, listed) in bundles.values() {
            let mut seen = Vec::new();
            for id in listed {
                if !items.contains_key(&id.value) {
                    self.problems.push(file.problem(
                        id.span.clone(),
                        format!("bundle `{}`: unknown item `{}`", bundle.id, id.value),
                    ));
                } else if seen.contains(&&id.value) {
                    self.problems.push(file.problem(
                        id.span.clone(),
                        format!(
                            "bundle `{}`: item `{}` is listed twice",
                            bundle.id, id.value
                        ),
                    ));
                }
                seen.push(&id.value);
            }
        }
    }

    fn parse_expr(&mut self, file: &SourceFile, source: &ExprSource) -> Option<expr::Expr> {
        match expr::parse(&source.text) {
            Ok(ast) => Some(ast),
            Err(err) => {
                self.problems
                    .push(file.problem_at(source.offset_of(err.span.start), err.message));
                None
            }
        }
    }

    fn check_expr(
        &mut self,
        file: &SourceFile,
        source: &ExprSource,
        ast: &expr::Expr,
        checker: &Checker<'_>,
    ) -> Option<(expr::Program, Type)> {
        match checker.check(ast) {
            Ok(checked) => Some(checked),
            Err(errors) => {
                for err in errors {
                    self.problems
                        .push(file.problem_at(source.offset_of(err.span.start), err.message));
                }
                None
            }
        }
    }

    /// A `when` condition: parsed, checked, and required to be a bool.
    fn condition(
        &mut self,
        file: &SourceFile,
        source: &ExprSource,
        checker: &Checker<'_>,
        what: &str,
    ) -> Option<Condition> {
        let ast = self.parse_expr(file, source)?;
        let (program, ty) = self.check_expr(file, source, &ast, checker)?;
        if ty != Type::Bool {
            self.problems.push(file.problem_at(
                source.offset_of(ast.span.start),
                format!("{what} must be a condition (bool), found {ty}"),
            ));
            return None;
        }
        Some(Condition {
            source: source.text.clone(),
            program,
        })
    }

    /// `eligible`, checked whole (so errors point where they are) and then compiled
    /// conjunct by conjunct for the explanations.
    fn eligibility(
        &mut self,
        file: &SourceFile,
        source: &ExprSource,
        checker: &Checker<'_>,
    ) -> Option<Eligibility> {
        self.condition(file, source, checker, "eligible")?;
        let ast = expr::parse(&source.text).ok()?;
        let conjuncts = ast
            .conjuncts()
            .into_iter()
            .map(|conjunct| {
                let text: String = source
                    .text
                    .chars()
                    .skip(conjunct.span.start)
                    .take(conjunct.span.end - conjunct.span.start)
                    .collect();
                let (program, _) = checker.check(conjunct).ok()?;
                Some(Condition {
                    source: text.trim().to_owned(),
                    program,
                })
            })
            .collect::<Option<Vec<_>>>()?;
        Some(Eligibility {
            source: source.text.clone(),
            conjuncts,
        })
    }
}

fn fact_values(
    r: &mut Reader<'_>,
    table: &dyn TableLike,
    item: &TomlItem,
    what: &str,
) -> Option<Arc<[String]>> {
    let list = r
        .require(table, item_span(item), "values", &format!("enum {what}"))
        .and_then(|v| r.string_list(v, &format!("{what}: values")))?;
    if list.is_empty() {
        r.report(
            item_span(item),
            format!("{what}: an enum needs at least one value"),
        );
        return None;
    }
    let mut values: Vec<String> = Vec::with_capacity(list.len());
    for value in list {
        if values.contains(&value.value) {
            r.report(
                value.span,
                format!("{what}: value \"{}\" is listed twice", value.value),
            );
        } else {
            values.push(value.value);
        }
    }
    Some(values.into())
}

fn checked_channels(r: &mut Reader<'_>, channels: Vec<Spanned<String>>) -> Vec<String> {
    if channels.is_empty() {
        r.report(None, "channels lists no channel");
    }
    let mut out: Vec<String> = Vec::new();
    for channel in channels {
        if !valid_id(&channel.value, IdKind::Thing) {
            r.report(
                channel.span,
                format!("channel `{}` is not a valid id", channel.value),
            );
        } else if out.contains(&channel.value) {
            r.report(
                channel.span,
                format!("channel `{}` is listed twice", channel.value),
            );
        } else {
            out.push(channel.value);
        }
    }
    out
}

fn item_materials(
    r: &mut Reader<'_>,
    item: &TomlItem,
) -> Vec<(Spanned<String>, u32, Option<ExprSource>)> {
    let tables: Vec<(&dyn TableLike, TomlItem)> = match item {
        TomlItem::ArrayOfTables(array) => array
            .iter()
            .map(|t| (t as &dyn TableLike, TomlItem::Table(t.clone())))
            .collect(),
        TomlItem::Value(toml_edit::Value::Array(array)) => {
            let mut tables = Vec::new();
            for value in array.iter() {
                match value.as_inline_table() {
                    Some(t) => tables.push((t as &dyn TableLike, TomlItem::Value(value.clone()))),
                    None => r.report(value.span(), "each entry of materials must be a table"),
                }
            }
            tables
        }
        other => {
            r.report(
                other.span(),
                "materials must be a list of tables ([[materials]])",
            );
            Vec::new()
        }
    };
    let mut out = Vec::new();
    for (table, as_item) in tables {
        let at = item_span(&as_item);
        r.check_keys(table, &["id", "copies", "when"], "a materials entry");
        let id = r
            .require(table, at.clone(), "id", "a materials entry")
            .and_then(|i| r.string(i, "material id"));
        let copies = match table.get("copies") {
            Some(c) => r.count(c, "copies").and_then(|n| {
                if n == 0 {
                    r.report(c.span(), "copies must be at least 1");
                    None
                } else {
                    Some(n)
                }
            }),
            None => Some(1),
        };
        let when = table.get("when").map(|w| r.expression(w, "when"));
        if let (Some(id), Some(copies)) = (id, copies) {
            match when {
                Some(None) => {}
                Some(Some(when)) => out.push((id, copies, Some(when))),
                None => out.push((id, copies, None)),
            }
        }
    }
    out
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}
