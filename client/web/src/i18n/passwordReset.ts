/**
 * "Forgot your password?" (`/forgot`) and the mailed link's page (`/reset/<token>`), the
 * `passwordReset` group of `en.ts` / `de.ts` (docs/accounts.md "Password reset").
 * The rule words must match `server/domain/accounts.py` (MIN_PASSWORD, MAX_PASSWORD).
 */
import type { Catalogue } from './de'

export const passwordResetEn = {
  forgot: 'Forgot your password?',
  forgotTitle: 'Reset your password',
  forgotLead: 'Enter the e-mail address of your account. We send a link to choose a new password.',
  send: 'Send the link',
  sentTitle: 'Check your e-mail',
  sent: 'If an account exists for {{email}}, we sent it a link. The link works once, for {{minutes}} minutes. Nothing there? Look in the spam folder, or ask again.',
  noMailTitle: 'This server sends no e-mail',
  noMail: 'No link can reach you, because this Tandem server has no mail set up. Ask whoever runs this server for a reset link: they can make one for your address.',
  askAgain: 'Ask again',
  backToSignIn: 'Back to sign-in',
  tooMany: 'Too many requests for this address. Wait a few minutes and try again.',
  resetTitle: 'Choose a new password',
  resetLead: 'Your new password signs you out of Tandem on every other device.',
  newPassword: 'New password',
  repeat: 'New password again',
  rule: 'At least {{min}} characters (up to {{max}}). A few words in a row are easy to remember.',
  tooShort: 'The password needs at least {{min}} characters.',
  tooLong: 'The password can have at most {{max}} characters.',
  differ: 'The two passwords differ. Type the same password twice.',
  save: 'Set the new password',
  deadTitle: 'This link no longer works',
  dead: 'It was used already, or it is expired: a reset link works once, for a limited time. Ask for a new one.',
  askNew: 'Ask for a new link',
  done: 'Your password is changed, and every session is signed out. Sign in with the new password.',
}

export const passwordResetDe: Catalogue<typeof passwordResetEn> = {
  forgot: 'Passwort vergessen?',
  forgotTitle: 'Passwort zurücksetzen',
  forgotLead: 'Geben Sie die E-Mail-Adresse Ihres Kontos ein. Wir schicken Ihnen einen Link, mit dem Sie ein neues Passwort wählen.',
  send: 'Link senden',
  sentTitle: 'Sehen Sie in Ihre E-Mails',
  sent: 'Falls es ein Konto für {{email}} gibt, haben wir ihm einen Link geschickt. Der Link gilt einmal, {{minutes}} Minuten lang. Nichts angekommen? Sehen Sie im Spam-Ordner nach oder fragen Sie erneut.',
  noMailTitle: 'Dieser Server verschickt keine E-Mails',
  noMail: 'Kein Link kann Sie erreichen, weil auf diesem Tandem-Server kein E-Mail-Versand eingerichtet ist. Bitten Sie die Person, die diesen Server betreibt, um einen Link zum Zurücksetzen: Sie kann ihn für Ihre Adresse erstellen.',
  askAgain: 'Erneut anfragen',
  backToSignIn: 'Zurück zur Anmeldung',
  tooMany: 'Zu viele Anfragen für diese Adresse. Warten Sie einige Minuten und versuchen Sie es dann erneut.',
  resetTitle: 'Neues Passwort wählen',
  resetLead: 'Mit dem neuen Passwort werden Sie auf allen anderen Geräten von Tandem abgemeldet.',
  newPassword: 'Neues Passwort',
  repeat: 'Neues Passwort wiederholen',
  rule: 'Mindestens {{min}} Zeichen (höchstens {{max}}). Ein paar Wörter hintereinander merkt man sich leicht.',
  tooShort: 'Das Passwort braucht mindestens {{min}} Zeichen.',
  tooLong: 'Das Passwort darf höchstens {{max}} Zeichen haben.',
  differ: 'Die beiden Passwörter unterscheiden sich. Geben Sie zweimal dasselbe Passwort ein.',
  save: 'Neues Passwort speichern',
  deadTitle: 'Dieser Link gilt nicht mehr',
  dead: 'Er wurde schon benutzt oder ist abgelaufen: Ein Link zum Zurücksetzen gilt einmal und nur eine begrenzte Zeit. Fordern Sie einen neuen an.',
  askNew: 'Neuen Link anfordern',
  done: 'Ihr Passwort ist geändert, und alle Sitzungen sind abgemeldet. Melden Sie sich mit dem neuen Passwort an.',
}
