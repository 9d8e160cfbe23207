// PLACEHOLDER until branch h/smart lands: the service is wired against the contract in ./types.
export * from './types';
import type { CreateReviewResolver, GenerateStrategy } from './types';

export const generateStrategy: GenerateStrategy = () => {
  throw new Error('strategy generation is not available yet');
};

export const createReviewResolver: CreateReviewResolver = () => {
  throw new Error('the review resolver is not available yet');
};
