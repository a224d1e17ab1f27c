/** Messages: every bus subject, the payload it carries and the codecs of those payloads — one table for the engine's traffic. */
export {
  SUBJECTS,
  pricesSubject,
  marketEventSubject,
  volumeSubject,
  opportunitySubject,
  controlSubject,
  membersSubject,
  type MemberHeartbeat,
  type PriceEvent,
  type PriceBar,
  type SubmittedMessage,
  type ExecutionResultMessage,
  type DeadLetterMessage,
  type ControlAction,
  type ControlFact,
  type ControlMessage,
  type ControlSnapshot,
  type ControlSyncRequest,
  type ControlSyncReply,
  type SubjectPayloads,
} from './subjects.ts';
export { routedToJson, routedFromJson, reportToJson, reportFromJson, type RoutedOrderJson, type ExecutionReportJson } from './codec.ts';
