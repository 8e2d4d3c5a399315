// Turning a failed call into a message for people: our own translation when we have one.
import { ApiError } from './api';
import { t } from './i18n';

export function errorMessage(err: unknown): string {
  if (err instanceof ApiError) {
    if (err.code === 'network') return t('errors.network');
    if (err.code === 'invalid_credentials') return t('errors.invalid_credentials');
    // A lock-out message from the server says how long; show it as given.
    if (err.code === 'locked') return err.message || t('errors.locked');
    if (err.status === 403) return t('errors.forbidden');
    if (err.status === 404) return t('errors.not_found');
    if (err.message && err.status >= 400 && err.status < 500) return err.message;
  }
  return t('errors.unexpected');
}
