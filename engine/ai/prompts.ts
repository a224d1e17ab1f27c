/**
 * Prompt templates, one per language. The wording asks for the same JSON in every language
 * (field names and enum values stay English so rules read them); only the reasoning is localized.
 */
import { SolrulesError } from '../errors/index.ts';
import { WIRE_SCHEMA } from './answer.ts';

export const LANGUAGES = ['en', 'es', 'de'] as const;
export type Language = (typeof LANGUAGES)[number];

/** Bumped whenever a template changes, so cached and recorded answers of older prompts are not reused. */
export const PROMPT_VERSION = 1;

export interface PromptVars {
  market: string;
  timeframe: string;
  lastClose: string;
  bars: number;
  from: string;
  to: string;
}

interface Template {
  system: string;
  user: (v: PromptVars) => string;
  followUp: (v: PromptVars) => string;
  invalid: (error: string) => string;
  /** Added for servers without json_schema support (json_object mode): the schema in words. */
  jsonOnly: string;
}

const schemaText = JSON.stringify(WIRE_SCHEMA);

const TEMPLATES: Record<Language, Template> = {
  en: {
    system:
      'You are a disciplined technical analyst. You read candlestick charts with their indicators ' +
      '(moving averages, Bollinger bands, volume, RSI, MACD) and give one recommendation for the base asset: ' +
      'buy, sell or hold. Use only what the chart shows. Prefer hold when the picture is mixed, and say how sure you are ' +
      'as a confidence between 0 and 1. Key levels are prices read off the chart. Answer with JSON only.',
    user: (v) =>
      `Chart: ${v.market}, ${v.timeframe} candles, ${v.bars} bars from ${v.from} to ${v.to} UTC, last close ${v.lastClose}. ` +
      'Buy and sell markers are our recent trades. Give your recommendation.',
    followUp: (v) =>
      `Here is the updated chart: ${v.market}, ${v.timeframe}, ${v.bars} bars up to ${v.to} UTC, last close ${v.lastClose}. ` +
      'Revise your previous answer in light of it: keep it if it still holds, change it if the chart says otherwise.',
    invalid: (e) => `Your answer did not match the required JSON schema: ${e}. Reply again with only the JSON object.`,
    jsonOnly: `Reply with a single JSON object matching this JSON Schema, nothing else: ${schemaText}`,
  },
  es: {
    system:
      'Eres un analista técnico disciplinado. Lees gráficos de velas con sus indicadores ' +
      '(medias móviles, bandas de Bollinger, volumen, RSI, MACD) y das una recomendación para el activo base: ' +
      'buy (comprar), sell (vender) o hold (mantener). Usa solo lo que muestra el gráfico. Prefiere hold cuando el panorama ' +
      'es mixto e indica tu seguridad como confidence entre 0 y 1. Los niveles clave son precios leídos del gráfico. ' +
      'Responde solo con JSON; los nombres de campo y los valores buy/sell/hold en inglés, el razonamiento en español.',
    user: (v) =>
      `Gráfico: ${v.market}, velas de ${v.timeframe}, ${v.bars} barras del ${v.from} al ${v.to} UTC, último cierre ${v.lastClose}. ` +
      'Las marcas de compra y venta son nuestras operaciones recientes. Da tu recomendación.',
    followUp: (v) =>
      `Aquí está el gráfico actualizado: ${v.market}, ${v.timeframe}, ${v.bars} barras hasta ${v.to} UTC, último cierre ${v.lastClose}. ` +
      'Revisa tu respuesta anterior: mantenla si sigue siendo válida, cámbiala si el gráfico indica otra cosa.',
    invalid: (e) => `Tu respuesta no cumple el esquema JSON requerido: ${e}. Responde de nuevo solo con el objeto JSON.`,
    jsonOnly: `Responde con un único objeto JSON que cumpla este JSON Schema, nada más: ${schemaText}`,
  },
  de: {
    system:
      'Du bist ein disziplinierter technischer Analyst. Du liest Kerzencharts mit ihren Indikatoren ' +
      '(gleitende Durchschnitte, Bollinger-Bänder, Volumen, RSI, MACD) und gibst eine Empfehlung für den Basiswert: ' +
      'buy (kaufen), sell (verkaufen) oder hold (halten). Nutze nur, was der Chart zeigt. Wähle hold, wenn das Bild gemischt ist, ' +
      'und gib deine Sicherheit als confidence zwischen 0 und 1 an. Schlüsselniveaus sind Preise aus dem Chart. ' +
      'Antworte nur mit JSON; Feldnamen und buy/sell/hold auf Englisch, die Begründung auf Deutsch.',
    user: (v) =>
      `Chart: ${v.market}, ${v.timeframe}-Kerzen, ${v.bars} Kerzen von ${v.from} bis ${v.to} UTC, letzter Schlusskurs ${v.lastClose}. ` +
      'Kauf- und Verkaufsmarken sind unsere letzten Trades. Gib deine Empfehlung.',
    followUp: (v) =>
      `Hier ist der aktualisierte Chart: ${v.market}, ${v.timeframe}, ${v.bars} Kerzen bis ${v.to} UTC, letzter Schlusskurs ${v.lastClose}. ` +
      'Überprüfe deine vorige Antwort: behalte sie, wenn sie noch gilt, ändere sie, wenn der Chart etwas anderes zeigt.',
    invalid: (e) => `Deine Antwort entsprach nicht dem geforderten JSON-Schema: ${e}. Antworte erneut nur mit dem JSON-Objekt.`,
    jsonOnly: `Antworte mit genau einem JSON-Objekt nach diesem JSON-Schema, sonst nichts: ${schemaText}`,
  },
};

/** The template of a language; an unknown language is an error naming the known ones. */
export function promptTemplate(language: string): Template {
  if (!(LANGUAGES as readonly string[]).includes(language)) {
    throw new SolrulesError('AI_LANGUAGE', `no prompt template for language '${language}' (known: ${LANGUAGES.join(', ')})`, { field: 'language', value: language });
  }
  return TEMPLATES[language as Language];
}
