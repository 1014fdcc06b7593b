/**
 * The insights API's answers as the dashboard reads them: the server's own types
 * (server/api/insight_types.py, through the generated api-schema.d.ts), so a change there that
 * the dashboard does not follow fails `tsc`.
 */
import type { Schemas } from '../../lib/api'

export type Money = Record<string, number>
export type Funnel = Schemas['Funnel']
export type FunnelStage = Schemas['FunnelStage']
export type LostReasons = Schemas['LostReasons']
export type LostReason = Schemas['LostReason']
export type Reps = Schemas['Reps']
export type Rep = Schemas['Rep']
export type Forecast = Schemas['Forecast']
export type ForecastPeriod = Schemas['ForecastPeriod']
export type InsightDeals = Schemas['InsightDeals']
export type Goals = Schemas['Goals']
export type Goal = Schemas['Goal']
export type GoalInput = Schemas['GoalInput']
export type Metric = Goal['metric']
