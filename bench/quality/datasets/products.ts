// products: a retailer's catalogue (reference: name, description, manufacturer, price) against a marketplace feed
// (source: title, long_description, brand, price) in the way of Abt–Buy / Amazon–Google. Brands sell lines of
// near-identical products that differ only by a model-number digit, a size or a colour code, so names are
// near-ties. Source noise: model numbers re-formatted (WH-1000XM4 / WH1000XM4 / wh 1000xm4), other word order,
// marketing words, brand dropped from the title or the brand column, other descriptions, prices in "$1,299.00" /
// "1299 USD" formats and a few percent off. Some source products are not in the catalogue — mostly siblings of
// products that are.
import type { MatchConfig } from '../../../src/matching/index';
import { maybeTypos } from '../noise';
import { Random } from '../random';
import { assembleTables, chooseMatchedRecords, type Cells, type PlannedSourceRow } from '../table';
import type { GenerateOptions, QualityDataset } from '../types';

interface Category {
  nouns: string[];
  /** the dimension siblings differ by, besides the model number */
  variants: string[];
  /** whether the variant is part of the model number (TV sizes, storage) */
  variantInModel: boolean;
  price: [number, number];
  features: string[];
  brands: string[];
}

const CATEGORIES: Category[] = [
  {
    nouns: ['Wireless Noise Cancelling Headphones', 'True Wireless Earbuds', 'On-Ear Bluetooth Headphones'],
    variants: ['Black', 'Silver', 'Midnight Blue', 'White'],
    variantInModel: false,
    price: [49, 399],
    features: [
      'active noise cancellation',
      '30-hour battery life',
      'quick charge',
      'multipoint pairing',
      'touch controls',
      'built-in microphone',
      'foldable design',
    ],
    brands: ['Sony', 'Bose', 'Sennheiser', 'JBL', 'Apple', 'Beats'],
  },
  {
    nouns: ['4K UHD Smart TV', 'QLED 4K Smart TV', 'OLED 4K TV', 'Full HD LED TV'],
    variants: ['43', '50', '55', '65', '75', '85'],
    variantInModel: true,
    price: [279, 2999],
    features: ['HDR10+', 'Dolby Vision', '120Hz refresh rate', 'built-in voice assistant', 'HDMI 2.1', 'game mode', 'slim bezel'],
    brands: ['Samsung', 'LG', 'Sony', 'TCL', 'Hisense', 'Vizio', 'Panasonic'],
  },
  {
    nouns: ['Laptop', 'Ultrabook', '2-in-1 Touchscreen Laptop', 'Gaming Laptop'],
    variants: ['256GB', '512GB', '1TB'],
    variantInModel: true,
    price: [399, 2499],
    features: [
      'Intel Core i7 processor',
      '16GB RAM',
      'backlit keyboard',
      'fingerprint reader',
      'Wi-Fi 6',
      'full HD display',
      'all-day battery',
    ],
    brands: ['Dell', 'HP', 'Lenovo', 'Asus', 'Acer', 'Microsoft'],
  },
  {
    nouns: ['Mirrorless Digital Camera', 'Digital SLR Camera', 'Compact Digital Camera'],
    variants: ['Body Only', 'with 18-55mm Lens', 'with 24-105mm Lens'],
    variantInModel: false,
    price: [299, 2499],
    features: [
      '24.2MP sensor',
      '4K video',
      'in-body stabilisation',
      'dual card slots',
      'eye autofocus',
      'weather sealing',
      'Wi-Fi and Bluetooth',
    ],
    brands: ['Canon', 'Nikon', 'Sony', 'Fujifilm', 'Panasonic', 'Olympus'],
  },
  {
    nouns: ['All-in-One Inkjet Printer', 'Monochrome Laser Printer', 'Color Laser Printer'],
    variants: ['Wireless', 'Duplex', 'with Fax'],
    variantInModel: false,
    price: [79, 699],
    features: [
      'automatic duplex printing',
      'mobile printing',
      '250-sheet tray',
      'auto document feeder',
      'Ethernet',
      'energy star certified',
    ],
    brands: ['HP', 'Canon', 'Epson', 'Brother', 'Xerox'],
  },
  {
    nouns: ['Portable Bluetooth Speaker', 'Soundbar with Subwoofer', 'Smart Speaker'],
    variants: ['Black', 'Blue', 'Red', 'Gray'],
    variantInModel: false,
    price: [39, 899],
    features: ['waterproof IP67', '360-degree sound', '20-hour playtime', 'Dolby Atmos', 'voice control', 'party mode'],
    brands: ['JBL', 'Bose', 'Sonos', 'Sony', 'Ultimate Ears', 'Samsung'],
  },
  {
    nouns: ['Espresso Machine', 'Drip Coffee Maker', 'Single Serve Coffee Maker'],
    variants: ['Stainless Steel', 'Black', 'Red'],
    variantInModel: false,
    price: [49, 999],
    features: ['15-bar pump', 'milk frother', 'programmable timer', 'built-in grinder', 'thermal carafe', 'auto shut-off'],
    brands: ['DeLonghi', 'Breville', 'Keurig', 'Nespresso', 'Cuisinart', 'Philips'],
  },
  {
    nouns: ['Robot Vacuum Cleaner', 'Cordless Stick Vacuum', 'Upright Vacuum Cleaner'],
    variants: ['Standard', 'Pro', 'Plus'],
    variantInModel: false,
    price: [149, 899],
    features: ['HEPA filtration', 'self-emptying base', 'app control', 'LiDAR navigation', '60-minute runtime', 'pet hair tool'],
    brands: ['Dyson', 'iRobot', 'Shark', 'Eufy', 'Roborock', 'Samsung'],
  },
];
const LINE_WORDS = ['Pro', 'Ultra', 'Max', 'Elite', 'Plus', 'Air', 'Neo', 'Core', 'Studio', 'Flex', 'Vision', 'Aura', 'Nova', 'Prime'];
const LETTERS = 'ABCDEFGHJKLMNPQRSTUVWXZ';
const MARKETING = [
  'NEW',
  'Brand New',
  'Free Shipping',
  '2023 Model',
  'Best Seller',
  'Top Rated',
  'Limited Offer',
  'Authentic',
  'Fast Delivery',
  'Sealed',
];
const BRAND_SUFFIXES = ['Electronics', 'Inc.', 'Corporation', 'USA'];

/** What a seller keeps of a category noun: the head ("Soundbar with Subwoofer" → "Soundbar", "True Wireless
 *  Earbuds" → "Wireless Earbuds"). */
function shortNoun(noun: string): string {
  const head = noun.split(' with ')[0] as string;
  return head === noun ? noun.split(' ').slice(-2).join(' ') : head;
}

interface Product {
  brand: string;
  category: Category;
  noun: string;
  lineName: string;
  /** model number as the manufacturer writes it */
  model: string;
  variant: string;
  price: number;
  features: string[];
}

const REFERENCE_COLUMNS = ['name', 'description', 'manufacturer', 'price'];
const SOURCE_COLUMNS = ['title', 'long_description', 'brand', 'price'];
const MATCHED_SHARE = 0.8;

class ProductGenerator {
  constructor(private readonly random: Random) {}

  private code(length: number): string {
    let code = '';
    for (let i = 0; i < length; i++) code += this.random.pick([...LETTERS]);
    return code;
  }

  /** One product line of one brand: generations × variants, with model numbers that differ in a character or two. */
  line(): Product[] {
    const random = this.random;
    const category = random.pick(CATEGORIES);
    const brand = random.zipf(category.brands, 2);
    const noun = random.pick(category.nouns);
    const lineName = random.chance(0.6) ? random.pick(LINE_WORDS) : '';
    const prefix = this.code(random.between(2, 3));
    const number = String(random.between(1, 99) * (random.chance(0.5) ? 100 : 10));
    const separator = random.chance(0.6) ? '-' : '';
    const generations = random.between(1, 3);
    const firstGeneration = random.between(1, 6);
    // Kept in catalogue order, so a bigger size or storage costs more.
    const variants = random
      .shuffle([...category.variants])
      .slice(0, random.between(1, Math.min(4, category.variants.length)))
      .sort((a, b) => category.variants.indexOf(a) - category.variants.indexOf(b));
    const [low, high] = category.price;
    const basePrice = low + random.next() * (high - low) * 0.6;
    const products: Product[] = [];
    for (let g = 0; g < generations; g++) {
      const generationCode = `${this.code(1)}${firstGeneration + g}`;
      variants.forEach((variant, v) => {
        const variantCode = category.variantInModel ? variant.replace(/\D/g, '').slice(0, 2) : '';
        const colourCode = !category.variantInModel && variants.length > 1 ? `/${variant[0]}` : '';
        const model = category.variantInModel
          ? `${prefix}${variantCode}${separator}${number}${generationCode}`
          : `${prefix}${separator}${number}${generationCode}${colourCode}`;
        const price = Math.round(basePrice * (1 + 0.15 * g) * (1 + 0.2 * v) * 100) / 100 - 0.01;
        const features = random.shuffle([...category.features]).slice(0, 4);
        products.push({ brand, category, noun, lineName, model, variant, price: Math.max(9.99, price), features });
      });
    }
    return products;
  }

  private variantText(p: Product): string {
    return p.category.variantInModel && /^\d+$/.test(p.variant) ? `${p.variant}"` : p.variant;
  }

  referenceCells(p: Product): Cells {
    const name = [p.brand, p.lineName, p.model, this.variantText(p), p.noun].filter((x) => x !== '').join(' ');
    const [a, b, c] = p.features;
    return {
      name,
      description: `${p.noun} with ${a}, ${b} and ${c}. ${this.variantText(p)}.`,
      manufacturer: p.brand,
      price: p.price.toFixed(2),
    };
  }

  /** The model number as a marketplace seller types it. */
  private sellerModel(model: string): string {
    const random = this.random;
    let out = model;
    if (random.chance(0.4)) out = out.replace(/[-/]/g, '');
    else if (random.chance(0.2)) out = out.replace(/^([A-Z]+)(\d)/, '$1-$2');
    if (random.chance(0.15)) out = out.replace(/^([A-Z]+)-?/, '$1 ');
    if (random.chance(0.15)) out = out.toLowerCase();
    return out;
  }

  sourceCells(p: Product): Cells {
    const random = this.random;
    const model = random.chance(0.08) ? '' : this.sellerModel(p.model);
    const brandInTitle = random.chance(0.85) ? p.brand : '';
    const variant = this.variantText(p);
    const noun = random.chance(0.3) ? shortNoun(p.noun) : p.noun;
    const words = random.pick([
      [brandInTitle, p.lineName, noun, model, variant],
      [brandInTitle, model, noun, '-', variant],
      [model, brandInTitle, variant, noun],
      [brandInTitle, p.lineName, variant, noun, model ? `(${model})` : ''],
    ]);
    const marketing = random.shuffle([...MARKETING]);
    if (random.chance(0.35)) words.splice(random.chance(0.5) ? 0 : words.length, 0, marketing[0] as string);
    if (random.chance(0.15)) words.push(marketing[1] as string);
    let title = words
      .filter((w) => w !== '')
      .join(' ')
      .replace(/ - $/, '');
    title = maybeTypos(random, title, 0.1);

    const features = random.shuffle([...p.features]);
    const description = random.chance(0.3)
      ? ''
      : random.pick([
          `The ${p.brand} ${p.model} ${p.noun.toLowerCase()} delivers ${features.join(', ')}. ${variant}. ${random.pick(MARKETING)}!`,
          `Enjoy ${features[0]} and ${features[1]} with this ${p.noun.toLowerCase()}. Features: ${features.join('; ')}. Color/size: ${variant}. Ships in original packaging.`,
          `${features.join(' | ')}`,
        ]);

    let brand = p.brand;
    if (random.chance(0.2)) brand = `${brand} ${random.pick(BRAND_SUFFIXES)}`;
    if (random.chance(0.15)) brand = brand.toUpperCase();
    if (random.chance(0.3)) brand = '';

    const amount = p.price * (1 + (random.next() * 2 - 1) * 0.05); // another seller's price: within 5 %
    const price = random.chance(0.1)
      ? ''
      : random.pick([
          `$${amount.toLocaleString('en-US', { minimumFractionDigits: 2, maximumFractionDigits: 2 })}`,
          `${Math.round(amount)} USD`,
          `USD ${amount.toFixed(2)}`,
          `$${Math.round(amount)}`,
        ]);
    return { title, long_description: description, brand, price };
  }
}

/** What a user would write by hand: Jaro–Winkler on title and brand (and the description, a little), prices
 *  within 10 %. */
export const productsHandConfig: MatchConfig = {
  threshold: 0.85,
  fieldMappings: [
    { source: 'title', target: 'name', strategy: 'fuzzy', weight: 0.5, options: { algorithm: 'jaro_winkler' } },
    { source: 'brand', target: 'manufacturer', strategy: 'fuzzy', weight: 0.15, options: { algorithm: 'jaro_winkler' } },
    { source: 'long_description', target: 'description', strategy: 'fuzzy', weight: 0.15, options: { algorithm: 'jaro_winkler' } },
    { source: 'price', target: 'price', strategy: 'numeric_range', weight: 0.2, options: { tolerancePct: 10 } },
  ],
};

export function generate({ seed, referenceSize, sourceSize }: GenerateOptions): QualityDataset {
  const random = new Random(seed);
  const generator = new ProductGenerator(random);
  const matchedCount = Math.round(sourceSize * MATCHED_SHARE);
  const outsiderCount = sourceSize - matchedCount;
  // Lines are generated whole and split at random, so most outsiders are siblings of catalogue products.
  // Model numbers are unique per brand, so every product is one thing (two lines could draw the same code).
  const products: Product[] = [];
  const models = new Set<string>();
  while (products.length < referenceSize + outsiderCount) {
    for (const product of generator.line()) {
      const key = `${product.brand} ${product.model}`;
      if (models.has(key)) continue;
      models.add(key);
      products.push(product);
    }
  }
  products.length = referenceSize + outsiderCount;
  random.shuffle(products);
  const catalogue = products.slice(0, referenceSize);
  const rows: PlannedSourceRow[] = chooseMatchedRecords(random, referenceSize, matchedCount).map((i) => ({
    cells: generator.sourceCells(catalogue[i] as Product),
    referenceIndex: i,
  }));
  for (const p of products.slice(referenceSize)) rows.push({ cells: generator.sourceCells(p), referenceIndex: null });
  const tables = assembleTables(
    random,
    'prd',
    { columns: REFERENCE_COLUMNS, records: catalogue.map((p) => generator.referenceCells(p)) },
    { columns: SOURCE_COLUMNS, rows },
  );
  return { name: 'products', ...tables, handConfig: productsHandConfig };
}
