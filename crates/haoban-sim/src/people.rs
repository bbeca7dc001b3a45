//! The people: residents of the center's area (with valid ID numbers) and the staff, with
//! their roles, shifts and skills.

use chrono::{Datelike, NaiveDate, NaiveTime};
use haoban_cases::{IdNumber, Role, check_character};
use rand::rngs::SmallRng;
use rand::{Rng, SeedableRng};

use crate::config::Staffing;
use crate::mix::AgeBand;

const SURNAMES: [&str; 24] = [
    "王", "李", "张", "刘", "陈", "杨", "黄", "赵", "吴", "周", "徐", "孙", "马", "朱", "胡", "郭",
    "何", "林", "高", "罗", "郑", "梁", "谢", "宋",
];
const GIVEN: [&str; 32] = [
    "伟", "芳", "娜", "秀英", "敏", "静", "丽", "强", "磊", "军", "洋", "勇", "艳", "杰", "娟",
    "涛", "明", "超", "秀兰", "霞", "平", "刚", "桂英", "建华", "玉兰", "志强", "红梅", "国平",
    "海燕", "晓东", "佳怡", "子涵",
];
/// Jing'an, Huangpu, Xuhui, Changning, Putuo, Hongkou, Yangpu: where residents were born
/// or registered (the first six digits of an ID number).
const REGIONS: [&str; 7] = [
    "310106", "310101", "310104", "310105", "310107", "310109", "310110",
];

/// A resident who may come to the center.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Resident {
    pub id: IdNumber,
    pub name: String,
    pub phone: String,
    pub age: u32,
}

/// The residents, youngest first, so an age band is a range of them.
#[derive(Debug, Clone)]
pub struct Residents {
    pub people: Vec<Resident>,
}

impl Residents {
    /// `count` residents as of `on` (a year the model accepts, so every birth date has
    /// four digits from 1901 on), the same for the same seed.
    pub fn new(count: u32, on: NaiveDate, seed: u64) -> Residents {
        let mut rng = SmallRng::seed_from_u64(seed ^ 0x7265_7369_6465_6e74);
        let mut taken = std::collections::HashSet::new();
        let mut people: Vec<Resident> = (0..count)
            .map(|n| {
                // Ages 18–95, more of them between 30 and 75.
                let age = (18.0 + 77.0 * (rng.random::<f64>() + rng.random::<f64>()) / 2.0) as u32;
                // ID numbers carry a birth date from 1900 on, whatever day the model starts.
                let earliest = NaiveDate::from_ymd_opt(1901, 1, 1).unwrap_or(NaiveDate::MIN);
                let born = on
                    .with_year(on.year() - age as i32)
                    .unwrap_or(on)
                    .checked_sub_days(chrono::Days::new(rng.random_range(1..365)))
                    .unwrap_or(on)
                    .max(earliest);
                let region = REGIONS[rng.random_range(0..REGIONS.len())];
                // The next free sequence number of the region and birth date: no two
                // residents share an ID number.
                let mut sequence = n % 1000;
                let mut digits = format!("{region}{}{sequence:03}", born.format("%Y%m%d"));
                while !taken.insert(digits.clone()) {
                    sequence = (sequence + 1) % 1000;
                    digits = format!("{region}{}{sequence:03}", born.format("%Y%m%d"));
                }
                let check = check_character(digits.as_bytes()) as char;
                let id = IdNumber::parse(&format!("{digits}{check}"))
                    .expect("18 digits, a date from 1901 on and their own check character");
                let name = format!(
                    "{}{}",
                    SURNAMES[rng.random_range(0..SURNAMES.len())],
                    GIVEN[rng.random_range(0..GIVEN.len())]
                );
                let phone = format!("13{:09}", rng.random_range(0..1_000_000_000u32));
                Resident {
                    id,
                    name,
                    phone,
                    age,
                }
            })
            .collect();
        people.sort_by_key(|r| r.age);
        Residents { people }
    }

    /// A resident of `band`.
    pub fn draw(&self, band: AgeBand, rng: &mut impl Rng) -> usize {
        let (low, high) = band.ages();
        let from = self.people.partition_point(|r| r.age < low);
        let to = self.people.partition_point(|r| r.age <= high);
        if from < to {
            rng.random_range(from..to)
        } else {
            rng.random_range(0..self.people.len())
        }
    }
}

/// A staff member.
#[derive(Debug, Clone, PartialEq)]
pub struct Staff {
    pub username: String,
    pub name: String,
    pub role: Role,
    /// For a new clerk: the items (indices in the mix) they have learned so far.
    pub skills: Option<Vec<usize>>,
    /// The share of their accepted cases sent back for a supplement.
    pub mistakes: f64,
}

const STAFF_NAMES: [(&str, &str); 24] = [
    ("wang.fang", "王芳"),
    ("li.na", "李娜"),
    ("zhang.wei", "张伟"),
    ("liu.yang", "刘洋"),
    ("chen.jing", "陈静"),
    ("yang.li", "杨丽"),
    ("huang.min", "黄敏"),
    ("zhao.lei", "赵磊"),
    ("wu.xia", "吴霞"),
    ("zhou.jie", "周杰"),
    ("xu.ting", "徐婷"),
    ("sun.hao", "孙浩"),
    ("ma.lin", "马琳"),
    ("zhu.hong", "朱红"),
    ("hu.bin", "胡斌"),
    ("guo.qiang", "郭强"),
    ("he.yan", "何燕"),
    ("lin.feng", "林峰"),
    ("gao.yun", "高云"),
    ("luo.ming", "罗明"),
    ("zheng.hui", "郑慧"),
    ("liang.bo", "梁波"),
    ("xie.qian", "谢倩"),
    ("song.tao", "宋涛"),
];

/// Everyone who works at the center.
#[derive(Debug, Clone)]
pub struct Roster {
    pub staff: Vec<Staff>,
    pub desks: Vec<usize>,
    pub clerks: Vec<usize>,
    pub offices: Vec<usize>,
    pub supervisor: usize,
    pub admin: usize,
    windows: u32,
}

/// A window's day: who sits there, what it serves, and its break.
#[derive(Debug, Clone, PartialEq)]
pub struct Duty {
    pub window: String,
    pub clerk: usize,
    /// Items it may call (empty: all, 全岗通).
    pub skills: Vec<usize>,
    pub lunch: (NaiveTime, NaiveTime),
}

impl Roster {
    /// The staff for `staffing`: desks, clerks (the last `new_clerks` of them new, knowing
    /// only the `new_clerk_items` most frequent items), back office, one director
    /// (supervisor), one admin and one auditor.
    pub fn new(staffing: &Staffing, items: usize) -> Roster {
        let mut names = STAFF_NAMES.iter().cycle().enumerate();
        let mut staff = Vec::new();
        let mut add = |role: Role, skills: Option<Vec<usize>>, mistakes: f64| {
            let (n, (username, name)) = names.next().expect("the name list cycles");
            let round = n / STAFF_NAMES.len();
            let username = if round == 0 {
                (*username).to_owned()
            } else {
                format!("{username}{}", round + 1)
            };
            staff.push(Staff {
                username,
                name: (*name).to_owned(),
                role,
                skills,
                mistakes,
            });
            staff.len() - 1
        };
        let desks = (0..staffing.desks)
            .map(|_| add(Role::Desk, None, 0.0))
            .collect();
        let experienced = staffing.clerks - staffing.new_clerks;
        let learned: Vec<usize> = (0..(staffing.new_clerk_items as usize).min(items)).collect();
        let clerks = (0..staffing.clerks)
            .map(|n| {
                if n < experienced {
                    add(Role::Clerk, None, staffing.mistakes)
                } else {
                    add(
                        Role::Clerk,
                        Some(learned.clone()),
                        staffing.new_clerk_mistakes,
                    )
                }
            })
            .collect();
        let offices = (0..staffing.offices)
            .map(|_| add(Role::Office, None, 0.0))
            .collect();
        let supervisor = add(Role::Supervisor, None, 0.0);
        let admin = add(Role::SystemAdmin, None, 0.0);
        add(Role::Auditor, None, 0.0);
        Roster {
            staff,
            desks,
            clerks,
            offices,
            supervisor,
            admin,
            windows: staffing.windows,
        }
    }

    pub fn username(&self, staff: usize) -> &str {
        &self.staff[staff].username
    }

    /// Who sits at which window on the `nth` working day: clerks take turns at days off,
    /// and half the windows break for lunch at 11:30, the other half at 12:15.
    pub fn duties(&self, nth: u64) -> Vec<Duty> {
        let count = self.clerks.len() as u64;
        let mut on_duty: Vec<usize> = (0..self.clerks.len())
            .filter(|i| (*i as u64 + nth) % count < u64::from(self.windows))
            .collect();
        // Experienced clerks take the first windows; a new one sits beside them.
        on_duty.sort_by_key(|i| (self.staff[self.clerks[*i]].skills.is_some(), *i));
        let time = |h, m| NaiveTime::from_hms_opt(h, m, 0).unwrap_or_default();
        on_duty
            .into_iter()
            .enumerate()
            .map(|(n, clerk)| {
                let staff = self.clerks[clerk];
                Duty {
                    window: (n + 1).to_string(),
                    clerk: staff,
                    skills: self.staff[staff].skills.clone().unwrap_or_default(),
                    lunch: if n % 2 == 0 {
                        (time(11, 30), time(12, 15))
                    } else {
                        (time(12, 15), time(13, 0))
                    },
                }
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::Scenario;

    #[test]
    fn residents_have_valid_unique_id_numbers_and_ages_in_their_band() {
        let on = NaiveDate::from_ymd_opt(2026, 6, 1).unwrap();
        let residents = Residents::new(40_000, on, 7);
        let mut ids: Vec<&str> = residents.people.iter().map(|r| r.id.as_ref()).collect();
        ids.sort_unstable();
        ids.dedup();
        assert_eq!(ids.len(), 40_000);
        let mut rng = SmallRng::seed_from_u64(1);
        for _ in 0..100 {
            let senior = &residents.people[residents.draw(AgeBand::Senior, &mut rng)];
            assert!(senior.age >= 60, "{}", senior.age);
        }
        assert_eq!(
            Residents::new(50, on, 7).people,
            Residents::new(50, on, 7).people
        );
    }

    #[test]
    fn every_working_day_staffs_every_window_and_rotates_days_off() {
        let roster = Roster::new(&Scenario::default().staffing, 72);
        assert_eq!(roster.staff.len(), 20);
        let first = roster.duties(0);
        let second = roster.duties(1);
        assert_eq!(first.len(), 10);
        assert_eq!(second.len(), 10);
        assert_ne!(
            first.iter().map(|d| d.clerk).collect::<Vec<_>>(),
            second.iter().map(|d| d.clerk).collect::<Vec<_>>()
        );
        let mut usernames: Vec<&str> = roster.staff.iter().map(|s| s.username.as_str()).collect();
        usernames.sort_unstable();
        usernames.dedup();
        assert_eq!(usernames.len(), 20, "usernames are unique");
    }
}
