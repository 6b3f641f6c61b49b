/** The plain data the visit's documents are written from (no database, no Telegram). */

/** The campaign and the decision the inspection carries out (Quyết định số 53/QĐ-UBND ngày 07/01/2019). */
export interface CampaignInfo {
  title: string;
  year: number;
  province: string;
  decisionNumber: string;
  decisionDate: Date;
  issuer: string;
}

/** A member of the inspection team as the visit lists them. */
export interface TeamMember {
  name: string;
  title: string | null;
}

/** A finding (tồn tại, hạn chế) and what it concerns, when said. */
export interface FindingLine {
  text: string;
  /** A criterion of the questionnaire ("1.2", its title). */
  criterion?: { code: string; title: string } | null;
  /** An inspected content (a directive, the PAPI plan): its title or reference, and optionally its item. */
  content?: string | null;
  item?: { code: string; title: string } | null;
}

/** The team's marks on the inspection items of the visit. */
export interface ChecklistSummary {
  met: number;
  notMet: number;
  partial: number;
}

/** A score out of the unit's maximum. */
export interface Score {
  score: number;
  max: number;
}

export interface MinutesData {
  campaign: CampaignInfo;
  unit: { name: string };
  visit: { startsAt: Date; place: string };
  team: TeamMember[];
  /** Who attended for the unit (typed by the team lead). */
  attendees: string;
  /** The contents checked. */
  checkedContents: string;
  /** The results (typed by the team lead). */
  results: string;
  /** The unit's self-assessed score, when known. */
  selfScore: Score | null;
  findings: FindingLine[];
  checklist: ChecklistSummary | null;
  /** The team's lead, who signs (null: a space to write the name). */
  lead: string | null;
  /** Copies made: in all, kept by the team, kept by the unit. */
  copies?: { total: number; team: number; unit: number };
}

export interface ActionLine {
  text: string;
  /** The due date once set; null: the notice says "within N days of this notice". */
  dueAt: Date | null;
}

export interface ConclusionData {
  campaign: CampaignInfo;
  unit: { name: string };
  visit: { startsAt: Date };
  /** The number and date once issued ("125/TB-SNV"); null: a draft with blanks to fill. */
  number: string | null;
  issuedAt: Date | null;
  scores: {
    self: Score | null;
    /** The final score, once the results are published; null before. */
    final: (Score & { percent: number }) | null;
    /** The ranking group's label (e.g. "Nhóm A"), when ranked. */
    group: string | null;
  };
  /** The results recorded in the minutes. */
  results: string | null;
  findings: FindingLine[];
  actions: ActionLine[];
  /** Days an action is given after the notice (Campaign.actionDueDays). */
  actionDueDays: number;
  /** Who signs (the team's lead or the Department's leader). */
  signer: string | null;
}
