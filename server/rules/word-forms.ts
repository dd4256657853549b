/**
 * The forms a folded word (lower case, no accents: see server/lib/fold.ts) may stand for, so
 * "contains the word" finds a word's plural and singular in English, Spanish and Portuguese:
 * price/prices, city/cities, luz/luces, botao/botoes, animal/animais, item/itens. Two words
 * match when their forms meet. Deliberately simple (suffixes, no dictionary): it can join a few
 * unrelated words ("news" and "new"), never miss an exact one.
 */
export function wordForms(word: string): string[] {
  const forms = [word];
  const add = (form: string) => {
    if (form.length >= 3 && !forms.includes(form)) forms.push(form);
  };
  if (word.length > 3 && word.endsWith("s")) {
    add(word.slice(0, -1)); // prices → price, pedidos → pedido
    if (word.endsWith("es")) add(word.slice(0, -2)); // boxes → box, flores → flor
    if (word.endsWith("ies")) add(`${word.slice(0, -3)}y`); // cities → city
    if (word.endsWith("ces")) add(`${word.slice(0, -3)}z`); // luces → luz, vezes → vez
    if (/(oe|ae|ao)s$/.test(word)) add(`${word.slice(0, -3)}ao`); // botoes → botao, paes → pao
    if (/[aeou]is$/.test(word)) add(`${word.slice(0, -2)}l`); // animais → animal, papeis → papel
    if (word.endsWith("ns")) add(`${word.slice(0, -2)}m`); // itens → item, homens → homem
  }
  return forms;
}
