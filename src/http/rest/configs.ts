import type { Router } from './router';

export function registerConfigRoutes(_router: Router): void {}
