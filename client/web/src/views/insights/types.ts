/** The insights API's answers as the dashboard reads them (server/api/insight_types.py). */
export type Money = Record<string, number>

interface Header {
  boards: { id: string; name: string }[]
  from: string
  to: string
  tz: string
  owner: string | null
  owner_name: string | null
  currency_mode: 'apart' | 'converted'
  currency: string
}

export interface FunnelStage {
  board: string
  board_name: string
  stage: string
  stage_name: string
  kind: 'open' | 'won' | 'lost'
  probability: number | null
  entered: number
  advanced: number | null
  lost: number | null
  conversion: number | null
  drop_off: number | null
  median_days: number | null
  stuck: number
  rot_days: number
}

export interface Funnel extends Header {
  stages: FunnelStage[]
}

export interface LostReason {
  reason: string | null
  kind: 'listed' | 'other' | 'none'
  deals: number
  value: Money
}

export interface LostReasons extends Header {
  listed: string[]
  reasons: LostReason[]
  deals: number
}

export interface RepFigures {
  won: number
  lost: number
  win_rate: number | null
  won_value: Money
  average_won: Money
  median_cycle_days: number | null
  touches_per_won: number | null
  emails_per_won: number | null
}

export interface Rep extends RepFigures {
  owner: string | null
  owner_name: string | null
  previous: RepFigures
}

export interface Reps extends Header {
  previous_from: string
  previous_to: string
  reps: Rep[]
}

export interface ForecastPeriod {
  period: string
  label: string
  open_deals: number
  value: Money
  weighted: Money
  best_case: Money
  commit: Money
  commit_deals: number
  won_deals: number
  closed_won: Money
}

export interface Forecast extends Header {
  interval: 'month' | 'quarter'
  periods: ForecastPeriod[]
  probability_field: string
  category_field: string
}

export interface InsightDeal {
  board: string
  board_name: string
  card: string
  title: string
  stage: string
  stage_name: string | null
  owner: string | null
  owner_name: string | null
  status: 'open' | 'won' | 'lost'
  value: number | null
  currency: string | null
  expected_close: string | null
  created_at: string | null
  closed_at: string | null
  lost_reason: string | null
}

export interface InsightDeals extends Header {
  figure: string
  stage: string | null
  reason: string | null
  deals: InsightDeal[]
}

export interface Attainment {
  period_start: string
  period_end: string
  actual: number
  attainment: number
  projected: number
  days_elapsed: number
  days_in_period: number
  open_weighted: number
  open_best_case: number
  likelihood: 'reached' | 'likely' | 'possible' | 'unlikely'
  explanation: string
}

export type Metric = 'deals_won_count' | 'deals_won_value' | 'deals_added' | 'activities_done'

export interface Goal {
  id: string
  workspace_id: string
  user_id: string | null
  user_name?: string | null
  metric: Metric
  period: 'month' | 'quarter'
  target: number
  starts_on: string
  created_by: string | null
  created_at: string
  attainment?: Attainment | null
}

export interface Goals {
  currency: string
  tz: string
  on: string
  goals: Goal[]
}

export interface GoalInput {
  user_id?: string | null
  metric: Metric
  period?: 'month' | 'quarter'
  target: number
  starts_on?: string | null
}
