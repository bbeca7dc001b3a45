//! How every figure of the monthly list is computed, for the director: the same account as
//! `docs/performance.md` and `haoban-insight`'s crate documentation (keep the three in
//! step), in Chinese and in English.

use crate::pages::Lang;

pub struct Formulas {
    pub title: &'static str,
    pub intro: &'static str,
    pub contents: &'static str,
    pub cols: [&'static str; 3],
    pub sections: &'static [Section],
}

pub struct Section {
    pub id: &'static str,
    pub heading: &'static str,
    pub paragraphs: &'static [&'static str],
    /// Dimension, figure, counted from: only the five figures have a table.
    pub rows: &'static [[&'static str; 3]],
}

impl Formulas {
    pub fn of(lang: Lang) -> &'static Formulas {
        match lang {
            Lang::Zh => &ZH,
            Lang::En => &EN,
        }
    }
}

static ZH: Formulas = Formulas {
    title: "月度绩效：每个数字怎样计算",
    intro: "榜单只根据本中心的过程记录计算：每一步办件、每一次叫号、每一条评价都记在按哈希串联的过程记录里，没有人手工填写任何数字，榜单上每个数字都列出它所依据的事件编号（#n）。",
    contents: "本页内容",
    cols: ["维度", "数据", "依据的事件"],
    sections: &[
        Section {
            id: "events",
            heading: "哪些事件计入",
            paragraphs: &[
                "事件按记录当天（中心所在时区）归入月份：12 月 1 日凌晨 1 点的受理计入 12 月。",
                "月份结束之后的事件一律不读：过去的月份以后再算一次，结果完全相同（事项价值量不变时）。",
                "本月有工作、有评价或有差错的人员才上榜；只做了窗口设置之类操作的人不上榜。",
            ],
            rows: &[],
        },
        Section {
            id: "figures",
            heading: "五个维度的数据",
            paragraphs: &[
                "叫号服务：每个号（日期和号码）只算一次，算给最后记录“办结离窗”的人；从未办结的，算给最后叫号的人，但叫号之后过号或转出、且没有再被叫的号不算给任何人。",
                "效率（每件）：w = 从受理日到办结日的工作日数（按目录的日历，节假日不计、调休上班日计入），减去等待补正的工作日；p = 办件提交时确定的承诺时限。在期限内办结为按时；时限节省 = 1 − w ÷ p，限定在 0 到 1 之间；即办件（p = 0）当天办结为 1，否则为 0。效率一半看是否守约，一半看节省了多少时间。本月没有办结自己受理的办件的人（通常是后台人员）没有效率数据。",
                "评价：平均分和好评率（5、4、3 分占全部评价的比例）如实显示。计分时，每条未解决的差评再按一条 0 分的评价计入：本月开始回访整改、到月底既未整改也未被申诉撤销的差评，或申诉在本月被裁定属实的差评。被裁定属实的投诉同时计为质量差错，这是有意的：它既是一位不满意的居民，也是工作人员的差错。",
                "质量：每百件工作的差错数。办件受理后被后台要求补正，算作受理人的差错（窗口应在受理前一次性告知）；受理后被不予批准不算差错，是否符合条件由后台决定。",
            ],
            rows: &[
                [
                    "工作数量",
                    "Q = A + N + D + T",
                    "A 受理（受理、容缺受理）；N 不予受理；D 后台批准或不予批准（即办件受理时的批准与受理算一件）；T 叫号服务",
                ],
                [
                    "工作效率",
                    "E = (按时率 + 平均时限节省) ÷ 2",
                    "本人受理、并在本月办结的办件，不论何时受理",
                ],
                [
                    "工作价值量",
                    "V = Σ 价值量",
                    "本人本月受理的办件所属事项的工作价值量",
                ],
                [
                    "服务评价",
                    "R = Σ 分数 ÷ (评价数 + 未解决差评数)",
                    "评价本人的好差评和默认评价；未解决的差评",
                ],
                [
                    "工作质量（越低越好）",
                    "F = 100 × (S + C) ÷ max(Q, 1)",
                    "S 本月对本人受理的办件发出的补正要求；C 本月裁定属实的投诉",
                ],
            ],
        },
        Section {
            id: "days",
            heading: "在岗天数",
            paragraphs: &[
                "d = 过程记录中本人有事件的天数（周末加班也算），中心另行设定的（外出培训、病假）以设定为准。数量和价值量是总量，按在岗天数折算到整月后再比较：Q′ = Q × W ÷ d，V′ = V × W ÷ d（W 为整月的工作日数）。效率、评价和质量本来就是比率，不折算。",
            ],
            rows: &[],
        },
        Section {
            id: "scores",
            heading: "得分、总分与名次",
            paragraphs: &[
                "比率、平均数、Q′、V′ 和 F 保留 4 位小数（四舍五入），得分由这些显示出来的数字算出，任何人都可以照着复算。",
                "每个维度在中心内折算为 0–100 分：数量、效率、价值量、评价按与最高者之比 100 × x ÷ 最高（最高为 0 时都为 0）；质量与差错最多者相比 100 × (最多 − F) ÷ 最多（没有差错为 100，大家都没有差错时都为 100）。得分保留 2 位小数，榜单记下所用的最高（最多）值。",
                "总分 = 该人员有数据的各维度得分的加权平均 Σ wᵢ·sᵢ ÷ Σ wᵢ，保留 2 位小数。权重由中心设定（默认各为 1，只有比例有意义）。没有数据的维度不计入，不按 0 分计，后台人员不会因为不受理办件而被扣分。",
                "按总分从高到低排名；总分相同的名次并列，下一个名次顺延（1、2、2、4），并列者按用户名排列。",
            ],
            rows: &[],
        },
        Section {
            id: "stored",
            heading: "存档的月份",
            paragraphs: &[
                "每月第一个工作日起，服务器自动把上个月的榜单按计算结果存档一次（连同所依据的数据和事项目录的版本），此后目录变化（某事项价值量调整或被删除）都不会改写过去的月份。页面和 haoban report monthly 命令有存档时显示存档，并说明存档的时间和人；本月显示截至目前的实时数据。按同一目录从过程记录重新计算，与存档完全一致。",
            ],
            rows: &[],
        },
    ],
};

static EN: Formulas = Formulas {
    title: "The monthly list: how every figure is computed",
    intro: "The list is computed only from the center's process record: every step of every case, every call of a ticket and every rating is written to the hash-chained record, nobody types a figure in, and every figure on the list names the sequence numbers (#n) of the events it was counted from.",
    contents: "On this page",
    cols: ["Dimension", "Figure", "Counted from"],
    sections: &[
        Section {
            id: "events",
            heading: "Which events count",
            paragraphs: &[
                "An event belongs to the month of the day it was recorded, in the center's time zone: an acceptance at 01:00 on 1 December counts for December.",
                "Events recorded after the month are never read: a past month computed again later gives exactly the same list (as long as the items' value points are the same).",
                "A staff member is on the list when the month shows work, a rating or a fault of theirs; someone who only configured windows is not.",
            ],
            rows: &[],
        },
        Section {
            id: "figures",
            heading: "The five figures",
            paragraphs: &[
                "Tickets served: each ticket (its day and number) counts once, for whoever recorded its last service_finished; if it was never finished, for whoever called it last, unless after that call it ended as a no-show or was transferred on without being called again, in which case nobody served it.",
                "Efficiency, per case: w = working days from the acceptance day to the decision day (the catalog's calendar: holidays off, make-up days on), less the working days spent waiting for a supplement; p = the case's promised days, fixed when it was submitted. On time: decided by the deadline. Saved: 1 − w ÷ p, kept within 0–1; an instant item (p = 0) saves 1 when decided the same day, else 0. Half the figure is keeping the promise, half how much of the promised time was left. A member who accepted no case decided this month (the back office, usually) has no efficiency figure.",
                "Evaluation: the mean level and the good-rating rate (levels 5, 4 and 3 over all ratings) are shown as they are. For the score, each unresolved bad rating counts as one more rating of level 0: a follow-up opened this month and neither fixed nor dismissed on appeal by its end, or an appeal decided upheld this month. An upheld complaint weighs twice (here and under quality), which is intended: it is both a dissatisfied resident and the member's mistake.",
                "Quality: faults per hundred pieces of work. A supplement asked on a case counts against the clerk who accepted it (the window should have asked for the material before accepting); a denial after acceptance is not a fault, as whether the applicant qualifies is for the office to decide.",
            ],
            rows: &[
                [
                    "Quantity",
                    "Q = A + N + D + T",
                    "A cases accepted (with or without a deficiency); N refused at the window; D back-office approvals and denials (an instant item's approval with its acceptance is one piece of work); T tickets served",
                ],
                [
                    "Efficiency",
                    "E = (on-time rate + mean time saved) ÷ 2",
                    "cases the member accepted that were decided this month, whenever accepted",
                ],
                [
                    "Value",
                    "V = Σ value points",
                    "the items of the cases the member accepted this month",
                ],
                [
                    "Evaluation",
                    "R = Σ levels ÷ (ratings + unresolved)",
                    "ratings given and defaulted naming the member; unresolved bad ratings",
                ],
                [
                    "Quality (lower is better)",
                    "F = 100 × (S + C) ÷ max(Q, 1)",
                    "S supplements asked this month on cases the member accepted; C complaints upheld this month",
                ],
            ],
        },
        Section {
            id: "days",
            heading: "Days on duty",
            paragraphs: &[
                "d = the days of the month on which the record shows any event of the member's (a weekend day worked counts too), unless the center sets the member's days itself (training away from the hall, sick leave). Quantity and value are volumes, so they are compared per day on duty and scaled to the month: Q′ = Q × W ÷ d and V′ = V × W ÷ d, W the working days of the whole month. Efficiency, evaluation and quality are rates and are not adjusted.",
            ],
            rows: &[],
        },
        Section {
            id: "scores",
            heading: "Scores, total and rank",
            paragraphs: &[
                "Rates, means, Q′, V′ and F are rounded to 4 decimal places (half away from zero), and the scores are computed from these rounded figures, so anyone can redo the arithmetic from what the list shows.",
                "Each dimension is scored 0–100 within the center: quantity, efficiency, value and evaluation as a ratio to the best, 100 × x ÷ best (all 0 when the best is 0); quality against the worst, 100 × (worst − F) ÷ worst (no fault is 100; all 100 when nobody has a fault). Scores are rounded to 2 places; the list records the best (worst) it used.",
                "Total = the weighted mean of the scores the member has, Σ wᵢ·sᵢ ÷ Σ wᵢ, rounded to 2 places. The weights are the center's (default equal; only proportions matter). A dimension without a figure is left out, not counted as 0, so the back office is not marked down for not accepting cases.",
                "Rank by total, highest first. Equal totals share a rank and the next rank is skipped (1, 2, 2, 4); members with equal totals are listed by username.",
            ],
            rows: &[],
        },
        Section {
            id: "stored",
            heading: "Stored months",
            paragraphs: &[
                "From the first working day of a month the server stores the list of the month before, once, as computed (with its figures and the catalog version the value points came from): a later catalog change, such as an item's value points revised or an item removed, cannot rewrite a past month. The page and haoban report monthly show the stored list when there is one, and say when and by whom it was stored; the current month is shown live, month to date. Computed again from the record with the same catalog, a month matches its stored list exactly.",
            ],
            rows: &[],
        },
    ],
};
