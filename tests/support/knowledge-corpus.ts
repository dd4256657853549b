/**
 * A knowledge base to measure retrieval with, without any model: a bakery's documents (price
 * list, delivery, returns, allergens, branches…) as passages with a key each, questions a
 * customer would write (in their own words, not the passages') with the key of the passage that
 * answers them, and as many distractor passages as wanted: other branches, other products,
 * other policies, in the same vocabulary ("cake", "delivery", "open", "price"), so a question
 * must find its passage among many that share its common words.
 */

export type TCorpusPassage = { key: string; title: string; body: string };

export const GOLD_PASSAGES: TCorpusPassage[] = [
  {
    key: "cakes",
    title: "Price list › Celebration cakes",
    body: "Celebration cakes: small (serves 6) 25.00 EUR, large (serves 12) 45.00 EUR, extra large (serves 20) 70.00 EUR. Flavours: chocolate, vanilla, lemon, red velvet.",
  },
  {
    key: "breads",
    title: "Price list › Breads",
    body: "Sourdough loaf 4.50 EUR, rye bread 4.00 EUR, baguette 1.80 EUR, seeded wholemeal 4.20 EUR. Bread is baked every morning and sold until it runs out.",
  },
  {
    key: "pastries",
    title: "Price list › Pastries",
    body: "Croissant 1.60 EUR, pain au chocolat 1.90 EUR, cinnamon roll 2.40 EUR, pastel de nata 1.50 EUR.",
  },
  {
    key: "coffee",
    title: "Price list › Drinks",
    body: "Espresso 1.20 EUR, cappuccino 2.50 EUR, flat white 2.80 EUR, fresh orange juice 3.00 EUR. Oat and soy milk at no extra charge.",
  },
  {
    key: "custom",
    title: "Custom orders",
    body: "Personalised cakes with a photo or a message must be ordered at least 72 hours ahead. A 30% deposit confirms the order.",
  },
  {
    key: "wedding",
    title: "Wedding cakes",
    body: "Wedding cakes are designed with you at a free tasting session, booked two months before the wedding. Tiered cakes start at 350 EUR.",
  },
  {
    key: "delivery-zones",
    title: "Delivery › Zones and fees",
    body: "We deliver within 10 km of any branch. Delivery costs 4.90 EUR, free for orders over 60 EUR.",
  },
  {
    key: "delivery-times",
    title: "Delivery › Times",
    body: "Deliveries run from 9:00 to 19:00, Monday to Saturday. Orders placed before 11:00 arrive the same day.",
  },
  {
    key: "tracking",
    title: "Delivery › Tracking your order",
    body: "Each delivery gets a tracking link by SMS once the courier leaves the bakery. If the link shows no progress after an hour, call the branch.",
  },
  {
    key: "refunds",
    title: "Returns and refunds",
    body: "If something is wrong with your order, tell us within 24 hours with a photo. We replace it or refund the full amount to the original payment method within 5 working days.",
  },
  {
    key: "cancel",
    title: "Cancelling an order",
    body: "Orders can be cancelled free of charge up to 48 hours before collection or delivery. Later cancellations keep the deposit.",
  },
  {
    key: "gluten",
    title: "Allergens › Gluten-free",
    body: "Our gluten-free range (brownies, almond cake, seed crackers) is baked in a separate kitchen, but traces of gluten cannot be ruled out completely.",
  },
  {
    key: "nuts",
    title: "Allergens › Nuts",
    body: "Almonds, hazelnuts and walnuts are used in our kitchen. People with a nut allergy should ask staff before buying.",
  },
  {
    key: "vegan",
    title: "Allergens › Vegan options",
    body: "Vegan options: sourdough, baguette, the dark chocolate brownie and the apple crumble. They contain no milk, eggs or butter.",
  },
  {
    key: "branch-centro",
    title: "Branches › Centro",
    body: "Centro branch, Rua Augusta 120. Open Monday to Saturday 7:30–20:00, Sunday 8:00–14:00.",
  },
  {
    key: "branch-belem",
    title: "Branches › Belém",
    body: "Belém branch, Rua de Belém 45, next to the monastery. Open every day 8:00–19:00.",
  },
  {
    key: "branch-airport",
    title: "Branches › Airport",
    body: "Airport branch, Terminal 1 departures, after security. Open daily 5:00–23:00.",
  },
  {
    key: "holidays",
    title: "Holiday opening",
    body: "On public holidays every branch opens 9:00–13:00. We close on 25 December and 1 January.",
  },
  {
    key: "payments",
    title: "Payments",
    body: "We accept cash, cards, Apple Pay, Google Pay and MB Way. Company invoices with a VAT number on request.",
  },
  {
    key: "loyalty",
    title: "Loyalty card",
    body: "Collect a stamp for every coffee; the tenth coffee is free. Stamps are kept in the app and never expire.",
  },
  {
    key: "gift",
    title: "Gift cards",
    body: "Gift cards from 10 to 200 EUR, valid for 12 months in all branches and online.",
  },
  {
    key: "catering",
    title: "Catering",
    body: "Office breakfasts and party platters for 10 to 200 people, ordered 5 days ahead. A sample menu is sent on request.",
  },
  {
    key: "parking",
    title: "Parking",
    body: "The Belém branch has free parking for 30 minutes behind the building; Centro is pedestrian only, the closest car park is Restauradores.",
  },
  {
    key: "jobs",
    title: "Working with us",
    body: "We hire bakers and shop assistants all year. Send your CV to jobs@sweetcrumb.example.",
  },
  {
    key: "wifi",
    title: "In the shop › Wi-Fi and laptops",
    body: "Free Wi-Fi in every branch; the password is on the receipt. Laptops are welcome outside the lunch rush (12:00–14:00).",
  },
  {
    key: "pets",
    title: "In the shop › Pets",
    body: "Dogs on a leash are welcome on the terrace; only assistance dogs inside.",
  },
  {
    key: "birthday",
    title: "Birthday club",
    body: "Register your birthday in the app and get a free cupcake in your birthday week.",
  },
  {
    key: "subscription",
    title: "Bread subscription",
    body: "A weekly bread subscription delivers two loaves every Friday for 15 EUR a month; pause or stop it anytime in the app.",
  },
  {
    key: "lockers",
    title: "Pickup lockers",
    body: "Online orders can be collected from our lockers at Oriente station with the code sent by email, 24 hours a day.",
  },
  {
    key: "ingredients",
    title: "Our ingredients",
    body: "We use organic flour from Alentejo, free-range eggs and butter from Azores cows. No artificial preservatives.",
  },
  {
    key: "contact",
    title: "Contact",
    body: "Call us on +351 210 000 000 (9:00–18:00) or write to hello@sweetcrumb.example. We answer emails within one working day.",
  },
  {
    key: "reviews",
    title: "Complaints",
    body: "For a complaint, ask for the shop manager or use the complaints book; we reply in writing within 10 days.",
  },
  {
    key: "bulk",
    title: "Wholesale",
    body: "Restaurants and hotels can buy bread wholesale with a 15% discount on orders from 50 loaves a day.",
  },
  {
    key: "classes",
    title: "Baking classes",
    body: "Sourdough workshops on Saturday mornings, 3 hours, 65 EUR per person, flour and a starter to take home included.",
  },
  {
    key: "kids",
    title: "Children's parties",
    body: "Children's parties in the Centro branch on Sundays from 15:00: cupcake decorating for up to 12 kids, 18 EUR each.",
  },
];

/** Each question, as a customer would write it, and the passage that answers it. */
export const GOLD_QUESTIONS: { question: string; key: string }[] = [
  { question: "How much is the large cake?", key: "cakes" },
  { question: "what flavours do your celebration cakes come in", key: "cakes" },
  { question: "price of a sourdough loaf?", key: "breads" },
  { question: "How much do croissants cost?", key: "pastries" },
  { question: "do you have oat milk for coffee", key: "coffee" },
  { question: "Can I get a cake with a photo printed on it? How far ahead must I order?", key: "custom" },
  { question: "we're getting married, can we taste wedding cakes?", key: "wedding" },
  { question: "Is delivery free?", key: "delivery-zones" },
  { question: "how far do you deliver", key: "delivery-zones" },
  { question: "If I order at 10 will it be delivered today?", key: "delivery-times" },
  { question: "where is my order? how do I track it", key: "tracking" },
  { question: "My cake arrived damaged, can I get a refund?", key: "refunds" },
  { question: "I need to cancel my order for Saturday", key: "cancel" },
  { question: "do you have gluten free products", key: "gluten" },
  { question: "I'm allergic to nuts, is it safe?", key: "nuts" },
  { question: "anything vegan?", key: "vegan" },
  { question: "What time does the Centro shop open on Sunday?", key: "branch-centro" },
  { question: "Belém opening hours", key: "branch-belem" },
  { question: "Is there a bakery at the airport after security?", key: "branch-airport" },
  { question: "are you open on Christmas day?", key: "holidays" },
  { question: "Can I pay with MB Way?", key: "payments" },
  { question: "I need an invoice with my company's VAT number", key: "payments" },
  { question: "how does the coffee stamp card work", key: "loyalty" },
  { question: "do you sell gift cards?", key: "gift" },
  { question: "catering for an office breakfast of 40 people", key: "catering" },
  { question: "Where can I park near Belém?", key: "parking" },
  { question: "are you hiring bakers?", key: "jobs" },
  { question: "what's the wifi password", key: "wifi" },
  { question: "can I bring my dog?", key: "pets" },
  { question: "do I get something for my birthday", key: "birthday" },
  { question: "weekly bread subscription price", key: "subscription" },
  { question: "can I collect my online order at Oriente station at night?", key: "lockers" },
  { question: "Is your flour organic?", key: "ingredients" },
  { question: "What's your phone number?", key: "contact" },
  { question: "I want to make a complaint", key: "reviews" },
  { question: "wholesale bread for my restaurant", key: "bulk" },
  { question: "do you run sourdough baking workshops?", key: "classes" },
  { question: "birthday party for kids with cupcake decorating", key: "kids" },
  { question: "how many people does an extra large cake serve", key: "cakes" },
  { question: "deposit for a personalised cake", key: "custom" },
];

const CITIES = [
  "Porto",
  "Braga",
  "Coimbra",
  "Faro",
  "Évora",
  "Aveiro",
  "Leiria",
  "Viseu",
  "Setúbal",
  "Cascais",
  "Sintra",
  "Guimarães",
  "Funchal",
  "Ponta Delgada",
  "Tavira",
  "Lagos",
  "Nazaré",
  "Óbidos",
  "Tomar",
  "Chaves",
];
const STREETS = ["Rua Nova", "Avenida Central", "Praça da Vila", "Rua do Mercado", "Largo da Sé", "Rua das Flores"];
const PRODUCTS = [
  "carrot",
  "pumpkin",
  "banana",
  "coconut",
  "pistachio",
  "raspberry",
  "mango",
  "tiramisu",
  "caramel",
  "ginger",
  "walnut",
  "poppy seed",
  "blueberry",
  "cherry",
  "hazelnut",
  "matcha",
  "orange",
  "apricot",
  "fig",
  "plum",
];
const KINDS = ["tart", "loaf", "muffin", "cookie", "roll", "pie", "scone", "bun", "biscuit", "slice"];
const SIZES = ["small", "medium", "large", "family size"];
const TOPICS = [
  ["Supplier note", "Flour deliveries from the mill arrive on Tuesdays; the order must be confirmed by Monday noon."],
  [
    "Staff rota",
    "Morning shift starts at 5:00 for bakers; shop assistants start at 7:00 and close the till at the end of the day.",
  ],
  [
    "Equipment",
    "The deck oven is serviced every three months; report any fault to the maintenance company the same day.",
  ],
  ["Hygiene", "Surfaces are cleaned every two hours and the cold room temperature is logged each morning."],
  ["Packaging", "Paper bags for bread, boxes for cakes, and recyclable cups for drinks taken away."],
  ["Newsletter", "The monthly newsletter announces seasonal products and events at the branches."],
];

/** A small deterministic generator (the corpus is the same on every run). */
function random(seed: number) {
  let state = seed >>> 0;
  return () => {
    state = (state * 1_664_525 + 1_013_904_223) >>> 0;
    return state / 2 ** 32;
  };
}

/**
 * `count` distractors: other branches (city, street, hours), other products (flavour, kind,
 * size, price, ingredients), delivery notes of other towns and internal notes, all in the
 * bakery's vocabulary. None answers a gold question.
 */
export function distractorPassages(count: number, seed = 42): TCorpusPassage[] {
  const next = random(seed);
  const pick = <T>(items: readonly T[]) => items[Math.floor(next() * items.length)]!;
  const passages: TCorpusPassage[] = [];
  for (let index = 0; index < count; index += 1) {
    const kind = index % 4;
    const n = index + 1;
    if (kind === 0) {
      const city = pick(CITIES);
      passages.push({
        key: `d${n}`,
        title: `Partner shops › ${city} ${n}`,
        body: `Partner shop ${n} in ${city}, ${pick(STREETS)} ${1 + Math.floor(next() * 200)}. Opens ${6 + Math.floor(next() * 3)}:00 on weekdays and sells our bread from ${7 + Math.floor(next() * 3)}:30.`,
      });
    } else if (kind === 1) {
      const product = `${pick(PRODUCTS)} ${pick(KINDS)}`;
      passages.push({
        key: `d${n}`,
        title: `Seasonal menu ${n} › ${product}`,
        body: `${product[0]!.toUpperCase()}${product.slice(1)} (${pick(SIZES)}) ${(2 + next() * 30).toFixed(2)} EUR, made with ${pick(PRODUCTS)} and butter. Available in week ${1 + Math.floor(next() * 52)} only.`,
      });
    } else if (kind === 2) {
      const city = pick(CITIES);
      passages.push({
        key: `d${n}`,
        title: `Regional delivery › ${city} route ${n}`,
        body: `The ${city} van route ${n} leaves at ${8 + Math.floor(next() * 8)}:00 and supplies partner shops and cafés; drivers report delays to the dispatcher.`,
      });
    } else {
      const [topic, text] = pick(TOPICS);
      passages.push({ key: `d${n}`, title: `Internal › ${topic} ${n}`, body: `${text} Reference ${n}.` });
    }
  }
  return passages;
}
