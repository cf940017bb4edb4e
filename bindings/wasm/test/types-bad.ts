// Must NOT compile: a dialect that does not exist (test/node.test.js checks
// that tsc rejects it, so the types are not `any`).
import { roll } from '@crit-fumble/dice';

export const total: number = roll('1d6', { dialect: 'gurps' }).total;
