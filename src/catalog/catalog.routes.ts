import type { FastifyInstance, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { assetSchema, brandSchema, creatorSchema, licenseSchema, projectSchema } from '../docs/catalog.responses.js';
import { ok, paginated } from '../platform/http/reply.js';
import { okBody, pageBody, successBody, type RouteDoc } from '../platform/http/route-doc.js';
import { parseBody, parseQuery } from '../platform/http/validation.js';
import type { AssetsService } from './assets.service.js';
import {
  bulkAssetsBody, createAssetBody, createBrandBody, createCreatorBody, createLicenseBody, createProjectBody, listAssetsQuery, listBrandsQuery,
  listCreatorsQuery, listLicensesQuery, listProjectsQuery, updateAssetBody, updateBrandBody, updateCreatorBody, updateLicenseBody, updateProjectBody,
} from './catalog.schemas.js';
import type { Actor, Page } from './catalog.views.js';
import type { LicensesService } from './licenses.service.js';
import type { ProfilesService } from './profiles.service.js';
import type { ProjectsService } from './projects.service.js';

export interface CatalogServices {
  readonly profiles: ProfilesService;
  readonly projects: ProjectsService;
  readonly assets: AssetsService;
  readonly licenses: LicensesService;
}

/** A bulk import of 1,000 assets with long descriptions exceeds the default body limit. */
export const BULK_BODY_LIMIT = 16 * 1024 * 1024;

type Req = FastifyRequest<{ Params: { id: string } }>;
const USER = { config: { access: 'user' as const } };
const actor = (request: FastifyRequest): Actor => request.user!;
const documented = (summary: string, doc: Omit<RouteDoc, 'summary' | 'tags'>) => ({ config: { ...USER.config, openapi: { summary, tags: ['catalog'], ...doc } } });

/** The five routes of one resource: create (201), list, get, patch and delete. */
function resource<C extends z.ZodType, U extends z.ZodType, Q extends z.ZodType<{ page: number; pageSize: number }>, V>(app: FastifyInstance, path: string, spec: {
  create: [C, (actor: Actor, body: z.output<C>) => Promise<V>];
  list: [Q, (actor: Actor, query: z.output<Q>) => Promise<Page<V>>];
  get: (actor: Actor, id: string) => Promise<V>;
  update: [U, (actor: Actor, id: string, body: z.output<U>) => Promise<V>];
  remove: (actor: Actor, id: string) => Promise<void>;
  /** The resource's name in the docs and its response schema. */
  doc: [string, z.ZodType];
}): void {
  const [name, item] = spec.doc;
  const one = okBody(item);
  app.post(path, documented(`Create a ${name}`, { body: spec.create[0], response: one, status: 201 }), async (request, reply) => reply.status(201).send(ok(await spec.create[1](actor(request), parseBody(spec.create[0], request.body)))));
  app.get(path, documented(`List ${name}s visible to the caller`, { query: spec.list[0], response: pageBody(item) }), async (request) => {
    const query = parseQuery(spec.list[0], request.query);
    const { items, total } = await spec.list[1](actor(request), query);
    return paginated(items, query.page, query.pageSize, total);
  });
  app.get(`${path}/:id`, documented(`Read a ${name}`, { response: one }), async (request: Req) => ok(await spec.get(actor(request), request.params.id)));
  app.patch(`${path}/:id`, documented(`Update a ${name}`, { body: spec.update[0], response: one, errors: { 403: 'Forbidden' } }), async (request: Req) =>
    ok(await spec.update[1](actor(request), request.params.id, parseBody(spec.update[0], request.body))));
  app.delete(`${path}/:id`, documented(`Delete a ${name}`, { response: successBody, errors: { 403: 'Forbidden' } }), async (request: Req) => {
    await spec.remove(actor(request), request.params.id);
    return { success: true };
  });
}

export function catalogRoutes(app: FastifyInstance, services: CatalogServices): void {
  const { profiles, projects, assets, licenses } = services;
  resource(app, '/api/creators', {
    create: [createCreatorBody, (a, body) => profiles.createCreator(a, body)],
    list: [listCreatorsQuery, (_a, query) => profiles.listCreators(query)],
    get: (_a, id) => profiles.getCreator(id),
    update: [updateCreatorBody, (a, id, body) => profiles.updateCreator(a, id, body)],
    remove: (a, id) => profiles.deleteCreator(a, id),
    doc: ['creator', creatorSchema],
  });
  resource(app, '/api/brands', {
    create: [createBrandBody, (a, body) => profiles.createBrand(a, body)],
    list: [listBrandsQuery, (_a, query) => profiles.listBrands(query)],
    get: (_a, id) => profiles.getBrand(id),
    update: [updateBrandBody, (a, id, body) => profiles.updateBrand(a, id, body)],
    remove: (a, id) => profiles.deleteBrand(a, id),
    doc: ['brand', brandSchema],
  });
  resource(app, '/api/projects', {
    create: [createProjectBody, (a, body) => projects.create(a, body)],
    list: [listProjectsQuery, (a, query) => projects.list(a, query)],
    get: (a, id) => projects.get(a, id),
    update: [updateProjectBody, (a, id, body) => projects.update(a, id, body)],
    remove: (a, id) => projects.delete(a, id),
    doc: ['project', projectSchema],
  });
  app.post('/api/assets/bulk', { ...documented('Create up to 1,000 assets in one transaction', { body: bulkAssetsBody, response: okBody(z.array(assetSchema)), status: 201 }), bodyLimit: BULK_BODY_LIMIT }, async (request, reply) => {
    const body = parseBody(bulkAssetsBody, request.body);
    return reply.status(201).send(ok(await assets.createMany(actor(request), body.assets)));
  });
  resource(app, '/api/assets', {
    create: [createAssetBody, (a, body) => assets.create(a, body)],
    list: [listAssetsQuery, (a, query) => assets.list(a, query)],
    get: (a, id) => assets.get(a, id),
    update: [updateAssetBody, (a, id, body) => assets.update(a, id, body)],
    remove: (a, id) => assets.delete(a, id),
    doc: ['asset', assetSchema],
  });
  resource(app, '/api/licenses', {
    create: [createLicenseBody, (a, body) => licenses.create(a, body)],
    list: [listLicensesQuery, (a, query) => licenses.list(a, query)],
    get: (a, id) => licenses.get(a, id),
    update: [updateLicenseBody, (a, id, body) => licenses.update(a, id, body)],
    remove: (a, id) => licenses.delete(a, id),
    doc: ['license', licenseSchema],
  });
}
