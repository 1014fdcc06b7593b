// cronstrue's locale files register themselves with cronstrue when imported; they export nothing we use.
declare module 'cronstrue/locales/de'
