"""The event-log vocabulary: every object type, event type, attribute and link, defined once.

The simulation writes these events, the importers accept them, the auditor reads them, and
``docs/event-vocabulary.md`` is generated from here (``simlib vocab``).

Links are *qualified* relations from an event to objects (OCEL 2.0 ``relationships``). A link with
``many=False`` is stored as a column of the event table (fast to audit); ``many=True`` links
(delegation members) are stored in a long table.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

DType = Literal["string", "int", "float", "bool", "time", "category"]

RANKS = ("section_or_below", "deputy_division", "division", "deputy_bureau", "bureau", "ministerial_plus")
RANK_LABELS = {
    "section_or_below": ("科级及以下", "section level or below"),
    "deputy_division": ("副处级", "deputy division level"),
    "division": ("正处级（县处级）", "division / county level"),
    "deputy_bureau": ("副厅级", "deputy bureau level"),
    "bureau": ("正厅级（厅局级）", "bureau / department level"),
    "ministerial_plus": ("副部级以上", "vice-ministerial and above"),
}
UNIT_LEVELS = ("county", "prefecture", "provincial", "central")
EMPLOYMENT = ("in_service", "lixiu", "retired", "left_leading_post")
PUBLIC_TRIP_KINDS = ("public_temporary", "public_posted")
TRIP_KINDS = (*PUBLIC_TRIP_KINDS, "private")
DELEGATION_KINDS = ("temporary", "posted")  # a delegation's kind: its members' trips are public_<kind>
PUBLIC_DOC_TYPES = ("public_passport", "public_hk_macao_permit")
PRIVATE_DOC_TYPES = ("private_passport", "hk_macao_two_way_permit", "taiwan_permit")
RESIDENCY_DOC_TYPES = ("one_way_hk_macao_permit", "foreign_ltr_permit", "hk_macao_pr_id")
DOC_TYPES = PUBLIC_DOC_TYPES + PRIVATE_DOC_TYPES + RESIDENCY_DOC_TYPES
AGENCY_KINDS = ("mfa", "fao", "psb", "mss", "discipline", "finance", "org_dept")
SANCTION_KINDS = ("party", "admin", "organizational", "criticism_education")
SEVERITIES = ("light", "medium", "severe")
ACCOUNTABILITY_ROLES = ("delegation_leader", "institution_head", "dispatching_unit_head", "manager")
FRAUD_KINDS = ("false_info", "forged_doc", "altered_doc", "traded_doc")
PROVENANCES = ("issued", "forged", "altered", "bought")  # a document's origin (4.3.e: 伪造、变造、买卖)
PROBLEM_KINDS = ("registration", "custody", "unreported", "unshared")  # what a special inspection finds (4.2.f)
REPORT_RECIPIENTS = ("dispatching_unit", "mfa", "unit", "party_org")
BLOCKING_CONTROLS = (  # the value of FlightBlocked's ``control``: which control stopped a flight
    "approval",
    "vetting",
    "db_visibility",
    "exit_control",
    "custody",
    "revocation",
    "delegation_discipline",
    "border_check",
    "registration",
)


@dataclass(frozen=True)
class Attr:
    """A typed attribute of an event or object type."""

    name: str
    dtype: DType
    en: str
    zh: str
    unit: str = ""
    choices: tuple[str, ...] = ()
    required: bool = False
    timed: bool = False
    """An object attribute whose value may change over time (OCEL 2.0 timed object attributes): the object
    table holds the value at creation, ``EventLog.changes`` the later values, and
    ``EventLog.value_at`` the value in force at a time. Record a change with ``LogBuilder.change``."""


@dataclass(frozen=True)
class Link:
    """A qualified link from an event to an object of one of ``types``."""

    qualifier: str
    types: tuple[str, ...]
    required: bool = False
    many: bool = False


@dataclass(frozen=True)
class ObjectType:
    name: str
    en: str
    zh: str
    attrs: tuple[Attr, ...] = ()

    @property
    def timed_attrs(self) -> tuple[Attr, ...]:
        """The attributes that may change over time (:attr:`Attr.timed`)."""
        return tuple(a for a in self.attrs if a.timed)


@dataclass(frozen=True)
class EventType:
    name: str
    en: str
    zh: str
    clauses: tuple[str, ...]
    links: tuple[Link, ...] = ()
    attrs: tuple[Attr, ...] = field(default_factory=tuple)

    @property
    def single_links(self) -> tuple[Link, ...]:
        return tuple(lk for lk in self.links if not lk.many)

    @property
    def many_links(self) -> tuple[Link, ...]:
        return tuple(lk for lk in self.links if lk.many)


def _a(name: str, dtype: DType, en: str, zh: str, **kw) -> Attr:
    return Attr(name, dtype, en, zh, **kw)


def _req(qualifier: str, *types: str) -> Link:
    return Link(qualifier, types or (qualifier,), required=True)


def _opt(qualifier: str, *types: str) -> Link:
    return Link(qualifier, types or (qualifier,))


BODY = ("unit", "agency")  # approvers, recipients, inspectors: a unit's department or an agency

OBJECT_TYPES: tuple[ObjectType, ...] = (
    ObjectType(
        "cadre",
        "A cadre (Party member or not). Timed attributes (OCEL 2.0: they change over time, see "
        "EventLog.changes) follow a career: transfers (unit, management_authority), promotions (rank, e.g. into "
        "县处级), appointments to and removals from leading and key posts (is_leading_cadre, is_unit_leader, "
        "key_post, security_sensitive) and retirement (employment). The registration-for-filing category of "
        "2.2.a follows from them (state-organ staff, employment, leading post, rank, security_sensitive); "
        "CategoryEntered records the day a cadre enters it",
        "干部",
        (
            _a("unit", "string", "Id of the cadre's unit (changes on a transfer)", "所在单位", required=True,
               timed=True),
            _a("rank", "category", "Rank (changes on a promotion)", "职级", choices=RANKS, required=True,
               timed=True),
            _a("is_party_member", "bool", "Party member", "是否党员", required=True),
            _a("is_state_organ_staff", "bool", "Works in a state organ (国家机关)", "是否国家机关工作人员"),
            _a("employment", "category", "Employment status (in office, retired …; changes on retirement or "
               "leaving a leading post)", "在职状态", choices=EMPLOYMENT, timed=True),
            _a("is_leading_cadre", "bool", "Leading cadre (领导干部)", "是否领导干部", timed=True),
            _a("is_unit_leader", "bool", "Leader of the unit (单位领导干部)", "是否单位领导干部", timed=True),
            _a("key_post", "string", "Key posts, ';'-separated: personnel, finance, property, "
               "confidential_archives, other_important ('' none; changes on moving into or out of one)",
               "重要岗位（人、财、物、机要档案等，分号分隔）", timed=True),
            _a("security_sensitive", "string", "Security categories, ';'-separated: national_security, "
               "state_asset_security, industry_secret", "涉密类别（分号分隔）", timed=True),
            _a("management_authority", "string", "Id of the body holding cadre-management authority "
               "(干部管理权限)", "干部管理权限所在机关", timed=True),
        ),
    ),
    ObjectType(
        "unit",
        "A unit (单位) with its organisation-personnel department and Party organisation",
        "单位",
        (
            _a("level", "category", "Administrative level", "层级", choices=UNIT_LEVELS, required=True),
            _a("parent", "string", "Id of the unit one level up ('' at the top)", "上级单位"),
            _a("is_state_organ", "bool", "State organ (国家机关)", "是否国家机关"),
            _a("name", "string", "Name", "名称"),
        ),
    ),
    ObjectType(
        "agency",
        "An agency outside the unit tree: MFA/foreign-affairs office, public security, discipline organ …",
        "有关部门",
        (
            _a("kind", "category", "Kind of agency", "部门类别", choices=AGENCY_KINDS, required=True),
            _a("level", "category", "Administrative level", "层级", choices=UNIT_LEVELS),
            _a("name", "string", "Name", "名称"),
        ),
    ),
    ObjectType(
        "trip",
        "One trip abroad (出国（境）), public or private",
        "出国（境）行程",
        (
            _a("kind", "category", "Kind of trip", "行程类别", choices=TRIP_KINDS, required=True),
            _a("destinations", "string", "Approved destinations, ';'-separated", "目的地（分号分隔）"),
        ),
    ),
    ObjectType(
        "delegation",
        "A temporary delegation (临时出国（境）团组) or a posted institution",
        "团组",
        (_a("dispatching_unit", "string", "Id of the dispatching unit (派出单位)", "派出单位", required=True),
         _a("kind", "category", "A temporary delegation (临时出国（境）团组) or an institution posted abroad "
            "(驻国（境）外机构); its members' trips name it", "团组类别", choices=DELEGATION_KINDS)),
    ),
    ObjectType(
        "document",
        "A travel or residency document",
        "证件",
        (_a("doc_type", "category", "Document type", "证件类别", choices=DOC_TYPES, required=True),
         _a("provenance", "category", "Origin: issued by the authority, forged, altered or bought (4.3.e); "
            "unrecorded means issued", "来源（颁发、伪造、变造、买卖）", choices=PROVENANCES)),
    ),
    ObjectType(
        "case",
        "A discipline or criminal case",
        "案件",
        (
            _a("serious_adverse_effect", "bool", "Serious adverse effect for the State", "造成严重不良影响"),
            _a("national_security_harm", "bool", "Conduct endangering national security", "危害国家安全"),
            _a("suspected_crime", "bool", "Crime suspected", "涉嫌犯罪"),
            _a("typical", "bool", "Typical case to publicise (4.3.i)", "典型案例"),
        ),
    ),
)

_C = ("cadre",)
EVENT_TYPES: tuple[EventType, ...] = (
    # -- standing arrangements (4.1, 1.3.a, 3.4) --------------------------------------------------
    EventType("LeaderDesignated", "A leading comrade designated responsible for this work", "明确负责领导",
              ("4.1.b",), (_req("unit"), _opt("cadre"))),
    EventType("ProcedureIssued", "Working procedures issued by the org-personnel department", "建立工作程序",
              ("4.1.c",), (_req("unit"),)),
    EventType("PostingRulesIssued", "Management rules for staff posted abroad issued", "制定派驻人员管理办法",
              ("1.3.a",), (_req("unit"),)),
    EventType("CustodianDesignated", "A designated custodian for travel documents named", "明确证照专人",
              ("3.4.a",), (_req("unit"), _req("custodian", "cadre"))),
    # -- registration and flags ---------------------------------------------------------------------
    EventType("PSBRegistered", "Cadre registered for filing (登记备案) with public security", "登记备案",
              ("2.2.a",), (_req("cadre"), _opt("unit")),
              (_a("category", "string", "Registration category", "登记备案类别"),)),
    EventType("CategoryEntered", "Cadre enters a registration-for-filing category (promotion, new post, "
              "retirement)", "进入登记备案范围", ("2.2.a", "3.3.a"), (_req("cadre"),),
              (_a("category", "string", "Registration category", "登记备案类别"),)),
    EventType("CategoryLeft", "Cadre leaves every registration-for-filing category (retirement below bureau "
              "level, leaving a leading or security-sensitive post)", "退出登记备案范围", ("2.2.a",),
              (_req("cadre"),)),
    EventType("PSBDeregistered", "Registration for filing withdrawn with public security (the cadre left every "
              "category)", "撤销登记备案", ("2.2.a",), (_req("cadre"), _opt("unit"))),
    EventType("DBRecord", "Record written to the networked information database", "录入信息数据库",
              ("4.4.c",), (_opt("cadre"), _opt("document"), _opt("trip"), _opt("agency")),
              (_a("record_kind", "category", "What the record is about", "记录类别",
                  choices=("registration", "document", "trip", "suspicion")),)),
    EventType("ExitBanned", "Cadre barred from leaving the country by law (recorded)", "依法不准出境",
              ("2.1.e",), (_req("cadre"), _opt("agency"))),
    EventType("SuspectedViolation", "Cadre recorded as suspected of a serious violation", "涉嫌严重违纪违法",
              ("2.1.e", "4.4.f"), (_req("cadre"), _opt("agency"), _opt("case"))),
    EventType("FlagCleared", "An exit ban or suspicion lifted", "解除限制或嫌疑",
              ("2.1.e",), (_req("cadre"),),
              (_a("flag", "category", "Which flag", "标记", choices=("exit_banned", "suspected")),)),
    # -- documents ------------------------------------------------------------------------------------
    EventType("DocIssued", "Travel or residency document issued", "颁发证件",
              ("3.2.a", "4.4.d"), (_req("document"), _req("cadre"), _opt("issuer", "agency"))),
    EventType("DocReportedRegistered", "Holding of a private document reported and registered", "证件报告登记",
              ("3.2.a", "3.2.b"), (_req("document"), _req("cadre"), _req("recipient", *BODY))),
    EventType("DocCheckedOut", "Document taken out of custody", "证件借出",
              ("3.4.a",), (_req("document"), _req("cadre"), _opt("custodian", "cadre"), _opt("trip"), _opt("unit")),
              (_a("approval_ref", "string", "Approval reference of the trip", "审批文号"),)),
    EventType("DocCheckedIn", "Document returned to custody", "证件归还",
              ("3.4.a",), (_req("document"), _req("cadre"), _opt("custodian", "cadre"), _opt("unit"))),
    EventType("DocSurrendered", "Document handed in for custody", "证件交存",
              ("3.1.a", "3.3.a"), (_req("document"), _req("cadre"), _opt("recipient", *BODY),
                                   _opt("custodian", "cadre"), _opt("trip"))),
    EventType("DocCancelled", "Document cancelled (注销)", "证件注销", ("3.1.a",),
              (_req("document"), _opt("cadre"), _opt("issuer", "agency"))),
    EventType("CustodyDemand", "Holder asked to hand a document in", "催交证件", ("3.1.b", "4.3.g"),
              (_req("document"), _req("cadre"))),
    EventType("Refusal", "Holder refuses to hand a document in", "拒不交出证件", ("3.1.b", "4.3.g"),
              (_req("document"), _req("cadre")),
              (_a("serious", "bool", "Serious circumstances (情节严重: a repeated refusal, or by a suspect)",
                  "情节严重"),)),
    EventType("DocRevoked", "Document revoked (吊销)", "吊销证件", ("3.1.b",),
              (_req("document"), _opt("cadre"), _opt("issuer", "agency"))),
    EventType("CleanupAudit", "Clean-up of cadres' private documents carried out", "证照清理",
              ("3.2.c",), (_req("unit"),)),
    EventType("UnreportedDocFound", "Clean-up finds a document never reported", "清理发现未报告证照",
              ("3.2.d",), (_req("document"), _req("cadre"), _opt("unit"))),
    EventType("MakeUpRegistration", "Make-up report and registration of a document", "补报登记",
              ("3.2.d",), (_req("document"), _req("cadre"), _opt("unit"))),
    EventType("ResidencyDocAcquired", "A residency document acquired by a cadre or spouse", "办理居留证件",
              ("3.5.a",), (_req("cadre"), _opt("document")),
              (_a("doc_type", "category", "Document type", "证件类别", choices=RESIDENCY_DOC_TYPES),
               _a("by_spouse", "bool", "Acquired by the cadre's spouse", "由配偶办理"))),
    EventType("SpouseEmigrated", "The cadre's spouse settled abroad", "配偶出国定居", ("3.5.a",), (_req("cadre"),)),
    EventType("ResidencyApproval", "Approval under 中办发〔1999〕23号 for settlement or residency", "定居审批",
              ("3.5.a",), (_req("cadre"), _opt("approver", *BODY)),
              (_a("by_spouse", "bool", "Concerns the spouse", "涉及配偶"),)),
    # -- trips ------------------------------------------------------------------------------------------
    EventType("TripRequested", "Application to go abroad", "出国（境）申请", ("1.2.a", "2.1.a"),
              (_req("trip"), _req("cadre"), _opt("unit"), _opt("delegation")),
              (_a("plan_depart", "time", "Planned departure", "计划出境日期"),
               _a("plan_return", "time", "Planned return", "计划回国日期"))),
    EventType("Vetting", "Vetting of the applicant", "审查", ("2.1.c", "2.1.d"),
              (_req("trip"), _req("cadre"), _opt("approver", *BODY)),
              (_a("political", "bool", "Recent political performance checked", "审查近期政治表现"),
               _a("integrity", "bool", "Integrity record checked", "审查廉政情况"))),
    EventType("TripApproved", "Trip approved", "批准出国（境）", ("1.2.a", "1.2.b", "2.1.a", "2.1.b", "2.1.c", "2.1.e"),
              (_req("trip"), _req("cadre"), _req("approver", *BODY)),
              (_a("approved_return", "time", "Approved return date", "批准回国日期"),
               _a("approval_ref", "string", "Approval reference", "审批文号"))),
    EventType("TripDenied", "Trip denied", "不予批准", ("2.1.e",),
              (_req("trip"), _req("cadre"), _opt("approver", *BODY)),
              (_a("reason", "string", "Reason", "原因"),)),
    EventType("Education", "Targeted education before going abroad", "出国（境）前教育", ("1.1.a",),
              (_req("trip"), _req("cadre"))),
    EventType("PreDepartureTraining", "Centralised pre-departure training", "行前集中培训", ("1.1.b",),
              (_req("trip"), _req("cadre"))),
    EventType("ReminderTalk", "Reminder talk (谈话提醒)", "谈话提醒", ("1.1.b",), (_req("trip"), _req("cadre"))),
    EventType("RiskSignal", "Incipient problem detected", "发现苗头性问题", ("1.1.c",),
              (_req("cadre"), _opt("trip")), (_a("kind", "string", "Kind of signal", "类别"),)),
    EventType("PreemptiveMeasure", "Measure taken in advance", "提前采取措施", ("1.1.c",),
              (_req("cadre"), _opt("trip")), (_a("kind", "string", "Kind of measure", "类别"),)),
    EventType("DelegationFormed", "Temporary delegation formed", "组团", ("1.3.b", "4.3.f"),
              (_req("delegation"), _req("leader", "cadre"), Link("member", _C, many=True), _opt("unit"))),
    EventType("TempPartyOrgFormed", "Temporary Party branch or group formed", "成立临时党支部（党小组）",
              ("1.3.b",), (_req("delegation"),),
              (_a("org_type", "category", "Branch or group", "支部或小组", choices=("branch", "group")),)),
    EventType("PreTripReport", "Report and registration before a private trip", "行前报告登记",
              ("3.2.a", "3.2.b"), (_req("trip"), _req("cadre"), _req("recipient", *BODY))),
    EventType("Exit", "Border exit", "出境", ("1.2.a", "2.1.a"),
              (_req("trip"), _req("cadre"), _opt("document")), (_a("port", "string", "Port", "口岸"),)),
    EventType("Entry", "Border entry (return)", "入境", ("3.1.a", "3.3.a"),
              (_req("trip"), _req("cadre"), _opt("document")), (_a("port", "string", "Port", "口岸"),)),
    EventType("ExitBlocked", "An exit attempt stopped", "出境被阻止", (),
              (_req("cadre"), _opt("trip"), _opt("document")),
              (_a("control", "category", "Control that stopped it", "阻止环节", choices=BLOCKING_CONTROLS),)),
    EventType("SoloActivity", "Delegation member acts alone", "单独活动", ("1.3.c",),
              (_req("trip"), _req("cadre"), _opt("delegation")),
              (_a("end", "time", "End of the activity", "结束时间"),)),
    EventType("LeaderConsent", "Delegation leader consents to a solo activity", "团组领导同意",
              ("1.3.c",), (_req("trip"), _req("cadre"), _opt("delegation"), _opt("leader", "cadre"))),
    EventType("RouteChange", "Itinerary changed", "变更出访路线", ("1.3.d",),
              (_req("trip"), _opt("cadre"), _opt("delegation")), (_a("leg", "string", "New leg", "变更路线"),)),
    EventType("RouteChangeAuthorized", "Route change authorised", "批准变更路线", ("1.3.d",), (_req("trip"),)),
    EventType("ExtensionAuthorized", "Extension of the stay authorised", "批准延期", ("1.3.e",), (_req("trip"),),
              (_a("new_return", "time", "New return date", "新的回国日期"),)),
    EventType("Incident", "Important matter during a trip", "重要情况", ("1.3.f", "2.3.d"),
              (_req("trip"), _opt("cadre"), _opt("delegation")),
              (_a("kind", "string", "Kind of incident", "类别"),)),
    EventType("IncidentReported", "Important matter reported", "报告重要情况", ("1.3.f", "2.3.d"),
              (_req("trip"), _opt("cadre"), _opt("recipient", *BODY)),
              (_a("to", "category", "Recipient", "报告对象", choices=REPORT_RECIPIENTS),)),
    EventType("PartyCapacityPublicActivity", "Public activity abroad in the capacity of a Party member",
              "以党员身份参加公开活动", ("2.3.b",), (_req("trip"), _req("cadre"))),
    EventType("AbroadStatusReport", "Report on the situation abroad", "境外情况汇报", ("2.3.c",),
              (_req("trip"), _req("cadre"), _opt("recipient", *BODY)),
              (_a("to", "category", "Recipient", "汇报对象", choices=REPORT_RECIPIENTS),)),
    EventType("ReturnReport", "Report to the unit after return", "回国报告", ("2.3.f",),
              (_req("trip"), _req("cadre"), _opt("recipient", *BODY))),
    EventType("MembershipRelationDecision", "Party organisational relations handled", "处理党员组织关系",
              ("2.3.e",), (_req("cadre"), _opt("trip"))),
    EventType("NonReturnDeclared", "Cadre declared a non-returner (私自不归)", "认定私自不归", ("4.3.b",),
              (_req("cadre"), _opt("trip"), _opt("case"))),
    EventType("Abscond", "Member leaves the organisation and absconds (出走)", "擅自脱离组织出走", ("4.3.f",),
              (_req("cadre"), _opt("trip"), _opt("delegation"), _opt("case"))),
    EventType("Defection", "Defection (叛逃)", "叛逃", ("4.3.f",),
              (_req("cadre"), _opt("trip"), _opt("delegation"), _opt("case"))),
    EventType("Flight", "Flight abroad with illicit funds (携赃款外逃)", "携款外逃", ("P.3",),
              (_req("cadre"), _opt("trip"), _opt("document"), _opt("case")),
              (_a("funds", "float", "Funds removed", "转移资金", unit="million yuan"),)),
    EventType("FundsAlert", "Large-funds or forex alert", "大额资金预警", ("4.4.e",), (_req("cadre"),),
              (_a("amount", "float", "Amount", "金额", unit="million yuan"),)),
    # -- supervision and reporting -------------------------------------------------------------------
    EventType("PeriodicReport", "Routine report to the level above", "定期逐级上报", ("4.2.c",),
              (_req("unit"), _req("recipient", *BODY))),
    EventType("AnnualReport", "Annual report on the previous year", "年度书面报告", ("4.2.d",),
              (_req("unit"), _req("recipient", *BODY)),
              (_a("year_covered", "int", "Year covered", "报告年度", required=True),
               _a("written", "bool", "Written report", "书面报告"),
               _a("non_returns", "int", "Non-returns of the unit's cadres declared in the year covered, as "
                  "reported", "报告所列本年度私自不归人数"))),
    EventType("MajorReport", "Major situation reported upward", "重大情况报告", ("4.2.e",),
              (_req("unit"), _opt("recipient", *BODY), _opt("cadre"), _opt("case"))),
    EventType("Inspection", "Special inspection", "专项检查", ("4.2.f",),
              (_req("unit"), _opt("inspector", *BODY)),
              (_a("ad_hoc", "bool", "Unscheduled (不定期): prompted by a report missing, late or showing a "
                  "non-return", "不定期检查"),)),
    EventType("InspectionFinding", "Problem found by an inspection", "检查发现问题", ("4.2.f",), (_req("unit"),),
              (_a("finding_ref", "string", "Reference of the problem", "问题编号", required=True),
               _a("kind", "category", "Kind of problem: a cadre not registered, a document kept past its "
                  "deadline, a document never reported, a suspicion not shared", "问题类别",
                  choices=PROBLEM_KINDS),
               _a("items", "int", "Number of cases of the problem found", "问题数量"))),
    EventType("Correction", "Problem corrected", "问题纠正", ("4.2.f",), (_req("unit"),),
              (_a("finding_ref", "string", "Reference of the problem", "问题编号", required=True),)),
    # -- cases and consequences ------------------------------------------------------------------------
    EventType("CaseOpened", "Case opened", "立案", ("4.3",), (_req("case"), _req("cadre"))),
    EventType("FraudDetected", "Fraud in going abroad or in the approval procedure", "弄虚作假",
              ("4.3.e",), (_req("cadre"), _opt("trip"), _opt("document"), _opt("case")),
              (_a("kind", "category", "Kind of fraud", "类别", choices=FRAUD_KINDS),)),
    EventType("Sanction", "Sanction imposed", "处分", ("4.3.b", "4.3.c", "4.3.e", "4.3.g"),
              (_req("cadre"), _opt("case")),
              (_a("kind", "category", "Kind of sanction", "处分类别", choices=SANCTION_KINDS, required=True),
               _a("severity", "category", "Severity", "轻重", choices=SEVERITIES),
               _a("basis", "string", "Clause applied", "依据条款"))),
    EventType("LegalReferral", "Case referred to the judicial organs", "移送司法机关", ("4.3.e",),
              (_req("cadre"), _opt("case"))),
    EventType("Accountability", "Manager or leader held accountable: cadre is the person held accountable "
              "(the leader, the dispatching unit's head, the manager), subject the cadre whose absconding, "
              "defection or non-return it answers for", "追究责任（cadre：被问责人；subject：引发问责的当事人）",
              ("4.3.f", "4.3.h"),
              (_req("cadre"), _opt("case"), _opt("subject", "cadre")),
              (_a("role", "category", "Role held accountable", "被问责身份", choices=ACCOUNTABILITY_ROLES),
               _a("basis", "string", "Clause applied", "依据条款"))),
    EventType("Pursuit", "Pursuit and arrest started", "缉捕", ("4.3.d",),
              (_req("cadre"), _opt("agency"), _opt("case"))),
    EventType("Repatriated", "Fugitive returned (extradited, repatriated or persuaded)", "追逃归案",
              ("4.3.i",), (_req("cadre"), _opt("case")),
              (_a("mode", "string", "How", "方式"),)),
    EventType("CaseConcluded", "Case concluded", "结案", ("4.3.i",), (_req("case"), _opt("cadre"))),
    EventType("Publicity", "Typical case publicised", "典型案例通报", ("4.3.i",), (_req("case"),),
              (_a("channel", "category", "Channel", "渠道", choices=("internal", "public")),)),
    # -- inter-agency information (4.4) ---------------------------------------------------------------
    EventType("DBUpload", "Issuance data uploaded by a foreign-affairs office", "上传颁照数据", ("4.4.d",),
              (_req("document"), _opt("agency"))),
    EventType("PassportCustodyBulletin", "Bulletin on public-passport collection and custody",
              "通报因公护照收缴保管情况",
              ("4.4.d",), (_req("agency"),)),
    EventType("ExitControlRecommended", "Exit control recommended to public security: agency is the "
              "recommending discipline organ, recipient the agency it is addressed to", "提出控制出境建议",
              ("4.4.f",), (_req("cadre"), _opt("agency"), _opt("recipient", "agency"))),
    EventType("ExitControlImposed", "Exit control imposed by public security", "实施出境控制", ("4.4.g",),
              (_req("cadre"), _opt("agency"))),
)

OBJECTS: dict[str, ObjectType] = {o.name: o for o in OBJECT_TYPES}
EVENTS: dict[str, EventType] = {e.name: e for e in EVENT_TYPES}
ID_ATTRIBUTES: dict[str, tuple[str, ...]] = {
    "cadre": ("unit", "management_authority"), "unit": ("parent",), "delegation": ("dispatching_unit",)}
"""Object attributes whose values are ids of other objects ('' or None: none), by object type."""
