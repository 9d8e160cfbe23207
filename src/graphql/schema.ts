import { lexicographicSortSchema } from 'graphql';
import { builder } from './builder';
import './types';
import '../modules/workspaces/schema';
import '../modules/datasets/schema';
import '../modules/configs/schema';
import '../modules/runs/schema';
import '../modules/strategies/schema';
import '../modules/realtime/schema';
import '../modules/webhooks/schema';
import './node';

export const schema = lexicographicSortSchema(builder.toSchema());
