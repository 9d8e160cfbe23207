// Every quality dataset by name. Synthetic ones take a seed and sizes; FEBRL files are fixed.
import type { GenerateOptions, QualityDataset } from '../types';
import { generate as bankTransactions } from './bank-transactions';
import { generate as bibliographic } from './bibliographic';
import { febrl3, febrl4 } from './febrl';
import { generate as peopleMessy } from './people-messy';
import { generate as products } from './products';
import { amazonWalmart, walmartAmazon, walmartAmazonTitles } from './walmart-amazon';

export interface DatasetEntry {
  name: string;
  /** synthetic datasets get the learning loop (their truth is what a reviewer would say) */
  synthetic: boolean;
  /** simulated reviews on real data too (Walmart-Amazon's truth is what a reviewer would say) */
  reviews?: boolean;
  load(options: GenerateOptions): QualityDataset;
}

export const DATASETS: DatasetEntry[] = [
  { name: 'bibliographic', synthetic: true, load: bibliographic },
  { name: 'products', synthetic: true, load: products },
  { name: 'people_messy', synthetic: true, load: peopleMessy },
  { name: 'bank_transactions', synthetic: true, load: bankTransactions },
  { name: 'febrl4', synthetic: false, load: () => febrl4() },
  { name: 'febrl3', synthetic: false, load: () => febrl3() },
  { name: 'walmart_amazon', synthetic: false, reviews: true, load: () => walmartAmazon() },
  { name: 'amazon_walmart', synthetic: false, reviews: true, load: () => amazonWalmart() },
  { name: 'walmart_amazon_titles', synthetic: false, reviews: true, load: () => walmartAmazonTitles() },
];
