"""`python manage.py load_demo`: realistic demo data for a Mexican IT help desk.

Idempotent: catalog, organizations, contacts and users are found by natural keys
(get_or_create); the ~200 demo tickets are created only when the demo organizations
have none yet. Tickets go through tickets.services, each step travelling in time
(time-machine) to a business-hours moment of the past ~60 days, so that ages,
messages and history rows look real. A fixed random seed makes the data the same
on every database.
"""

from __future__ import annotations

import datetime
import random
import time
from dataclasses import dataclass, field
from zoneinfo import ZoneInfo

import holidays
import time_machine
from django.conf import settings
from django.contrib.auth.models import Group
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.db.models import Count
from django.utils import timezone

from accounts.models import AGENT_GROUP, COORDINATOR_GROUP, AgentProfile, SupportLevel, User
from catalog.models import Module, Specialty
from customers.models import Contact, Organization, SupportPolicy
from sla.services import sla_recompute
from tickets import services
from tickets.models import Message, Ticket, TicketChange

DEMO_PASSWORD = "demo12345"
SEED = 20250301
HISTORY_DAYS = 60
DAY_START = datetime.time(9, 0)
DAY_MINUTES = 9 * 60  # Mon–Fri 09:00–18:00, the default calendar of domain.md
CONFIRMATION_WINDOW = 3 * DAY_MINUTES  # a solved ticket closes by itself after 3 business days

# The default matrix (tickets/migrations/0002): used only to plan realistic delays.
PRIORITY = {
    (1, 1): 1, (1, 2): 2, (1, 3): 3,
    (2, 1): 2, (2, 2): 3, (2, 3): 4,
    (3, 1): 3, (3, 2): 4, (3, 3): 5,
}

# Catalog ----------------------------------------------------------------------

ADMIN_APPS = "Aplicaciones administrativas"
INFRA = "Infraestructura y redes"
WEB = "Desarrollo web"
POS = "Sistemas de punto de venta"

SPECIALTIES = {
    ADMIN_APPS: "Facturación electrónica (CFDI 4.0), nómina, ERP y contabilidad.",
    INFRA: "Redes locales, enlaces, VPN, firewall y correo corporativo en Microsoft 365.",
    WEB: "Sitio público, portal de clientes e integraciones con el ERP.",
    POS: "Cajas de tienda: software de punto de venta, periféricos y terminales bancarias.",
}

MODULES = [
    {
        "name": "Facturación",
        "specialty": ADMIN_APPS,
        "description": (
            "Emisión, timbrado y cancelación de CFDI 4.0 (facturas, notas de crédito y complementos "
            "de pago) desde el sistema de facturación de la empresa."
        ),
        "policies": (
            "Se atienden incidencias de emisión, timbrado, cancelación y envío de CFDI. Indique el folio, "
            "el RFC del receptor y el mensaje de error completo (de preferencia con captura de pantalla). "
            "Los cambios por actualizaciones de catálogos del SAT se programan con 5 días hábiles de "
            "anticipación. Una factura timbrada no se modifica: se cancela y se emite de nuevo."
        ),
        "protocol": (
            "1. Obtener folio, serie, RFC del receptor y el mensaje de error.\n"
            "2. Verificar la vigencia del CSD y el saldo de timbres con el PAC.\n"
            "3. Consultar el estado del servicio del PAC y del SAT.\n"
            "4. Reproducir la emisión en el ambiente de pruebas.\n"
            "5. Si el error es del PAC o del fabricante, levantar reporte y pasar a Pendiente proveedor.\n"
            "6. Confirmar con el usuario una emisión correcta antes de solucionar."
        ),
    },
    {
        "name": "Nómina",
        "specialty": ADMIN_APPS,
        "description": (
            "Cálculo y timbrado de la nómina semanal y quincenal, recibos CFDI de nómina, incidencias "
            "(faltas, horas extra, vacaciones), IMSS e INFONAVIT."
        ),
        "policies": (
            "Las incidencias de nómina se capturan a más tardar el martes de la semana de pago. Todo reporte "
            "de cálculo indica número de empleado y periodo. Solo Recursos Humanos solicita cambios de sueldo, "
            "altas y bajas. Reexpedir un recibo timbrado implica cancelarlo ante el SAT."
        ),
        "protocol": (
            "1. Identificar periodo, tipo de nómina y números de empleado afectados.\n"
            "2. Revisar las incidencias capturadas y los conceptos configurados.\n"
            "3. Recalcular en una copia del periodo, nunca en el periodo cerrado.\n"
            "4. Validar las diferencias con Recursos Humanos antes de timbrar de nuevo.\n"
            "5. Documentar el ajuste y enviar los recibos corregidos."
        ),
    },
    {
        "name": "Portal web",
        "specialty": WEB,
        "description": (
            "Sitio público de la empresa y portal de clientes: pedidos en línea, estados de cuenta y "
            "descarga de facturas."
        ),
        "policies": (
            "Se atienden fallas del sitio y del portal de clientes. Los cambios de contenido se solicitan con "
            "3 días hábiles de anticipación. Las funciones nuevas se cotizan aparte, fuera de la póliza."
        ),
        "protocol": (
            "1. Confirmar dirección, navegador y hora del error; pedir captura de pantalla.\n"
            "2. Revisar el monitoreo y los registros del servidor web.\n"
            "3. Verificar certificado SSL, DNS y espacio en disco.\n"
            "4. Reproducir en otro navegador o en una ventana privada.\n"
            "5. Si la falla es del hospedaje, abrir reporte con el proveedor.\n"
            "6. Publicar la corrección fuera del horario pico y confirmar con el usuario."
        ),
    },
    {
        "name": "Correo",
        "specialty": INFRA,
        "description": (
            "Correo electrónico corporativo en Microsoft 365: buzones, listas de distribución, Outlook y "
            "correo en el celular."
        ),
        "policies": (
            "Las altas y bajas de buzones las solicita Recursos Humanos o la Gerencia. Cada buzón tiene 50 GB. "
            "No se recuperan correos eliminados hace más de 30 días. Las contraseñas se restablecen solo al "
            "titular, previa verificación de su identidad."
        ),
        "protocol": (
            "1. Identificar el buzón afectado y si falla en Outlook, en la web o en el celular.\n"
            "2. Revisar el estado del servicio en el centro de administración de Microsoft 365.\n"
            "3. Revisar el seguimiento de mensajes para correos no entregados.\n"
            "4. Verificar licencia, cuota del buzón y reglas de reenvío.\n"
            "5. Si es una falla del servicio, abrir caso con Microsoft y pasar a Pendiente proveedor."
        ),
    },
    {
        "name": "Red",
        "specialty": INFRA,
        "description": "Red local, Wi-Fi, enlaces a internet y VPN entre oficinas y sucursales.",
        "policies": (
            "Se atienden fallas de conectividad en las instalaciones cubiertas por la póliza. Los cambios en el "
            "firewall se solicitan por escrito y se aplican en ventana de mantenimiento. No se conectan equipos "
            "personales a la red corporativa."
        ),
        "protocol": (
            "1. Delimitar el alcance: un equipo, un área o toda la sucursal.\n"
            "2. Revisar en el monitoreo el enlace y los equipos de red.\n"
            "3. Pedir al usuario reiniciar el equipo afectado solo si el protocolo lo indica.\n"
            "4. Si el enlace del proveedor está caído, levantar reporte con el carrier y anotar su número.\n"
            "5. Confirmar el restablecimiento con el usuario y con el monitoreo."
        ),
    },
    {
        "name": "ERP",
        "specialty": ADMIN_APPS,
        "description": (
            "Sistema ERP: inventarios, compras, cuentas por cobrar y por pagar, contabilidad y cierres de mes."
        ),
        "policies": (
            "Los cierres de mes se atienden con prioridad los primeros 5 días hábiles. Los permisos de usuario "
            "los autoriza el jefe del área. No se modifican pólizas contables de periodos cerrados sin "
            "autorización de Contraloría."
        ),
        "protocol": (
            "1. Obtener el módulo del ERP, el documento y el usuario afectados.\n"
            "2. Revisar la bitácora de errores del ERP.\n"
            "3. Verificar permisos del usuario y registros bloqueados.\n"
            "4. Reproducir en la base de pruebas.\n"
            "5. Escalar a N2 si requiere cambios en la base de datos.\n"
            "6. Validar con el usuario y documentar la solución."
        ),
    },
    {
        "name": "Punto de venta",
        "specialty": POS,
        "description": (
            "Cajas de las tiendas: software de punto de venta, impresoras de tickets, lectores de código de "
            "barras y terminales bancarias."
        ),
        "policies": (
            "Una falla que detiene una caja se atiende como urgente en horario de tienda. El cambio de equipo "
            "requiere el número de serie. La terminal bancaria la repara el banco: la mesa levanta el reporte "
            "y le da seguimiento."
        ),
        "protocol": (
            "1. Identificar tienda, número de caja y equipo afectado.\n"
            "2. Verificar la conexión de la caja con el servidor de la tienda.\n"
            "3. Revisar periféricos (impresora, lector, cajón) y sus controladores.\n"
            "4. Si es la terminal bancaria, levantar reporte con el banco.\n"
            "5. Confirmar con el gerente de tienda que la caja opera."
        ),
    },
]

# Organizations and contacts -------------------------------------------------------
# Domains under example.com (reserved, RFC 2606): demo emails never reach a real inbox.

IN_FORCE, EXPIRED, NO_POLICY = "in_force", "expired", "none"

ORGANIZATIONS = [
    {
        "key": IN_FORCE,
        "name": "Comercializadora del Bajío S.A. de C.V.",
        "tax_id": "CBA050315KX2",
        "domain": "bajio.example.com",
        "phone": "477 712 4580",
        "notes": "Cadena de tiendas de abarrotes y mayoreo en Guanajuato. Oficina central en León.",
        "places": ["León Centro", "Plaza Mayor", "Irapuato", "Celaya", "Silao", "Salamanca", "Guanajuato"],
        "policy": {"name": "Póliza de soporte integral", "number": "POL-0142", "starts": -200, "ends": 165},
        "contacts": [
            # name, user part, job title, authorized, modules they usually report
            ("Alejandra Méndez Torres", "alejandra.mendez", "Gerente de Administración", True,
             ["Facturación", "ERP", "Correo", "Portal web"]),
            ("Roberto Aguilar Saucedo", "roberto.aguilar", "Contador general", True, ["Facturación", "ERP", "Nómina"]),
            ("Patricia Lozano Ibarra", "patricia.lozano", "Jefa de Recursos Humanos", True, ["Nómina", "Correo"]),
            ("Héctor Jiménez Valdivia", "hector.jimenez", "Encargado de sistemas", True,
             ["Red", "Correo", "Portal web", "ERP", "Punto de venta"]),
            ("Claudia Romero Esparza", "claudia.romero", "Gerente de tienda León Centro", True, ["Punto de venta", "Red"]),
            ("Ernesto Vargas Quiroz", "ernesto.vargas", "Supervisor de tiendas", True, ["Punto de venta", "Red", "Correo"]),
            ("Monitoreo de infraestructura (Zabbix)", "monitoreo", "Herramienta de monitoreo", True, []),
            ("Iván Castillo Reyes", "ivan.castillo", "Auxiliar de almacén", False, ["ERP", "Red"]),
            ("Karla Domínguez Ponce", "karla.dominguez", "Practicante de mercadotecnia", False, ["Portal web", "Correo"]),
        ],
    },
    {
        "key": EXPIRED,
        "name": "Grupo Ferretero Tapatío S.A. de C.V.",
        "tax_id": "GFT980722HN4",
        "domain": "ferreterotapatio.example.com",
        "phone": "33 3614 2290",
        "notes": "Ferreterías en la zona metropolitana de Guadalajara. Póliza vencida, en negociación de renovación.",
        "places": ["Sucursal Zapopan", "Sucursal Tlaquepaque", "Sucursal Tonalá"],
        "policy": {"name": "Póliza de soporte básico", "number": "POL-0087", "starts": -387, "ends": -22},
        "contacts": [
            ("Javier Orozco Preciado", "javier.orozco", "Director de Finanzas", True, ["Facturación", "ERP", "Nómina"]),
            ("Gabriela Íñiguez Camarena", "gabriela.iniguez", "Coordinadora de TI", True,
             ["Red", "Correo", "Portal web", "Punto de venta", "ERP"]),
            ("Omar Velázquez Gómez", "omar.velazquez", "Vendedor de mostrador", False, ["Punto de venta"]),
        ],
    },
    {
        "key": NO_POLICY,
        "name": "Transportes Regiomontanos del Norte S.A. de C.V.",
        "tax_id": "TRN110908QJ1",
        "domain": "transportesregio.example.com",
        "phone": "81 8343 1175",
        "notes": "Prospecto: cotización de póliza enviada, sin contrato firmado.",
        "places": ["Patio Apodaca", "Oficina Guadalupe"],
        "policy": None,
        "contacts": [
            ("Adriana Garza Treviño", "adriana.garza", "Gerente de Operaciones", True, ["ERP", "Correo", "Red"]),
            ("Luis Alberto Cantú Elizondo", "luis.cantu", "Jefe de Tráfico", True, ["Portal web", "Red"]),
            ("Brenda Saldaña Leal", "brenda.saldana", "Recepcionista", False, ["Correo"]),
        ],
    },
]

# A known sender without an organization: their reports are cancelled at intake.
ORPHAN_CONTACT = ("Jorge Ramírez Olmos", "jorge.ramirez.olmos@correo.example.com", ["Portal web", "Facturación"])

# Staff --------------------------------------------------------------------------

COORDINATOR = ("coordinador", "Mariana", "Cervantes Lozano")
AGENTS = [
    ("agente1", "Lucía", "Hernández Ramos", SupportLevel.N1, [ADMIN_APPS, POS]),
    ("agente2", "Diego", "Martínez Olvera", SupportLevel.N1, [INFRA, WEB, POS]),
    ("agente3", "Fernanda", "Ríos Castañeda", SupportLevel.N2, [ADMIN_APPS, POS]),
    ("agente4", "Ricardo", "Villaseñor Ortega", SupportLevel.N2, [INFRA, WEB]),
    ("agente5", "Sofía", "Navarro Guzmán", SupportLevel.N3, [ADMIN_APPS, INFRA, WEB, POS]),
]
ADMIN = ("admin", "Administrador", "del sistema")
STAFF_EMAIL_DOMAIN = "mesa.example.com"

# Ticket texts ---------------------------------------------------------------------
# s subject · d description · u urgency · i impact (the agent's assessment) · q/a a
# question to the requester and their answer · n internal note · sol solution · code
# resolution code · v vendor (name, message to the requester, reference prefix) ·
# request: a service request (REQ-) instead of an incident.

TEMPLATES = {
    "Facturación": [
        dict(s="No se pueden timbrar facturas desde esta mañana",
             d="Desde las 9 de la mañana, al timbrar cualquier factura aparece el mensaje «Error 301: el certificado "
               "de sello digital no es válido». Ya lo intentamos en dos computadoras. Tenemos cerca de 40 facturas "
               "de clientes pendientes de timbrar.",
             u=3, i=3,
             q="¿Nos confirma si recientemente renovaron el certificado de sello digital (CSD) ante el SAT? Si es "
               "así, compártanos los archivos .cer y .key nuevos por la carpeta segura.",
             a="Sí, la contadora renovó el CSD la semana pasada. Ya dejé los archivos en la carpeta segura.",
             n="El CSD cargado en el sistema venció ayer y el nuevo no se había cargado. Cargar .cer/.key y probar "
               "el timbrado en pruebas.",
             sol="Cargamos el nuevo certificado de sello digital en el sistema de facturación y verificamos el "
                 "timbrado con una factura de prueba. Ya puede timbrar normalmente; reintente las facturas pendientes.",
             code="resolved"),
        dict(s="La cancelación de la factura {folio} sigue «en proceso»",
             d="Intentamos cancelar la factura {folio} de {cliente} y el sistema indica que la cancelación está «en "
               "proceso» desde hace cuatro días. El cliente dice que no le llegó ninguna solicitud.",
             u=2, i=1,
             q="¿Nos confirma el RFC del receptor y el motivo de cancelación que eligió (01, 02, 03 o 04)?",
             a="Es el RFC de {cliente} y elegimos el motivo 02, comprobante emitido con errores sin relación.",
             sol="La cancelación con motivo 02 requiere que el receptor la acepte en el buzón tributario. Le "
                 "explicamos al cliente cómo aceptarla; la factura ya aparece cancelada en el SAT y en el sistema.",
             code="false_incident"),
        dict(s="Las notas de crédito salen con el IVA duplicado",
             d="Al generar una nota de crédito por devolución, el total trae el IVA dos veces. Pasa con todas las "
               "notas de crédito desde la actualización del viernes.",
             u=2, i=2,
             n="Regresión de la actualización 4.8.2: el concepto de descuento calcula el traslado dos veces.",
             v=("Soporte del fabricante del sistema de facturación",
                "Confirmamos que es un error de la última actualización del sistema. Levantamos el reporte con el "
                "fabricante y le avisaremos en cuanto publique la corrección. Mientras tanto, evite emitir notas de "
                "crédito o emítalas sin descuento.", "CASO-"),
             sol="El fabricante publicó la versión 4.8.3 con la corrección del cálculo de IVA en notas de crédito. "
                 "La instalamos y validamos con una nota de prueba.",
             code="vendor_fix"),
        dict(s="El PAC rechaza el complemento de pago de {cliente}",
             d="Al timbrar el complemento de pago de {cliente} aparece «CFDI40201: el valor del campo Fecha no "
               "cumple con el patrón requerido». Lo necesitamos para el cierre.",
             u=2, i=1,
             q="¿Nos envía una captura de la pantalla del complemento con la fecha de pago que capturó?",
             a="Les envío la captura. La fecha de pago la escribí como me la dio el banco.",
             sol="La fecha de pago se capturó como texto libre. La corregimos en el formulario y el complemento se "
                 "timbró. Le compartimos una guía breve para capturar complementos de pago.",
             code="false_incident"),
        dict(s="Las facturas no les llegan por correo a los clientes",
             d="Desde ayer los clientes nos dicen que no les llegan el PDF y el XML de sus facturas. En el sistema "
               "aparecen como enviadas.",
             u=2, i=2,
             n="Rebotes por SPF: el servidor de facturación envía desde una IP que no está en el registro SPF.",
             sol="Agregamos el servidor de envío del sistema de facturación al registro SPF del dominio. Los correos "
                 "ya se entregan y reenviamos las facturas de ayer.",
             code="resolved"),
        dict(s="Alta de una serie de facturación para la sucursal {lugar}", request=True,
             d="Abrimos operaciones en {lugar} y necesitamos una serie de facturas propia, con folios desde el 1.",
             u=1, i=1,
             sol="Creamos la serie nueva con folio inicial 1 y la asignamos a los usuarios de {lugar}.",
             code="request_fulfilled"),
        dict(s="Acceso al sistema de facturación para {nuevo}", request=True,
             d="{nuevo} se integró al área de cobranza y necesita acceso al sistema de facturación solo para emitir "
               "y consultar facturas.",
             u=1, i=1,
             q="¿Nos confirma por este medio la autorización de su jefe inmediato para el acceso?",
             a="Autorizado por la Gerencia de Administración, va en copia.",
             sol="Creamos el usuario con el perfil «Facturista» (emitir y consultar) y le enviamos sus datos de "
                 "acceso por correo.",
             code="request_fulfilled"),
    ],
    "Nómina": [
        dict(s="El recibo de nómina de la quincena no muestra las horas extra",
             d="A varios empleados del almacén no les aparecen las horas extra en el recibo de la quincena, aunque "
               "sí se capturaron en las incidencias. Son alrededor de 12 personas.",
             u=3, i=2,
             q="¿Nos comparte los números de empleado afectados y una captura de las incidencias capturadas?",
             a="Les adjunto la lista de los 12 empleados y la captura de la pantalla de incidencias.",
             n="Las horas extra se capturaron con fecha del día 16, fuera del periodo. Recalcular en una copia.",
             sol="Las horas extra estaban registradas con fecha del siguiente periodo. Ajustamos las fechas, "
                 "recalculamos y timbramos recibos complementarios para los 12 empleados.",
             code="resolved"),
        dict(s="Error al timbrar la nómina semanal: «El RFC del receptor no existe»",
             d="Al timbrar la nómina semanal, 3 recibos fallan con el mensaje de RFC inexistente. Son empleados de "
               "nuevo ingreso.",
             u=3, i=2,
             q="¿Puede revisar con los empleados su Constancia de Situación Fiscal? Necesitamos RFC, nombre y "
               "código postal exactamente como aparecen ahí.",
             a="Ya pedimos las constancias; uno de ellos tenía mal la homoclave y otro el código postal.",
             sol="Corregimos RFC y código postal fiscal de los tres empleados según sus constancias y los recibos "
                 "se timbraron.",
             code="false_incident"),
        dict(s="El ISR retenido no coincide con la tabla vigente",
             d="En la nómina quincenal el ISR retenido es mayor al que da la calculadora del SAT para sueldos "
               "de más de 15 mil pesos.",
             u=2, i=2,
             n="El catálogo tiene cargada la tabla de ISR del año anterior.",
             sol="La tabla de ISR del sistema no estaba actualizada. Cargamos la tabla vigente, recalculamos la "
                 "quincena en una copia y Recursos Humanos validó las diferencias antes de timbrar.",
             code="resolved"),
        dict(s="No se genera el archivo de dispersión para el banco",
             d="Al generar el layout de dispersión de nómina el sistema se queda cargando y no descarga nada. "
               "Hoy es día de pago.",
             u=3, i=3,
             n="El proceso se detiene en el empleado 1187: CLABE de 17 dígitos.",
             sol="El proceso fallaba por una cuenta CLABE de 17 dígitos en el expediente de un empleado. La "
                 "corregimos y el layout se generó; ya se envió al banco.",
             code="resolved"),
        dict(s="Las vacaciones de {nuevo} no se descuentan del saldo",
             d="Registramos las vacaciones de {nuevo} y su saldo sigue mostrando los mismos días.",
             u=1, i=1,
             sol="Las vacaciones se registraron como permiso con goce de sueldo. Mostramos a Recursos Humanos cómo "
                 "registrarlas con el tipo de incidencia correcto y el saldo ya se actualizó.",
             code="false_incident"),
        dict(s="Alta del concepto «Bono de productividad»", request=True,
             d="Dirección autorizó un bono de productividad mensual para vendedores. Necesitamos el concepto en la "
               "nómina, gravado para ISR.",
             u=1, i=1,
             sol="Creamos la percepción «Bono de productividad» (gravada) y la agregamos a la plantilla de vendedores.",
             code="request_fulfilled"),
        dict(s="Reporte de acumulados anuales por empleado", request=True,
             d="Necesitamos el reporte de acumulados por empleado del ejercicio anterior para la declaración anual.",
             u=2, i=1,
             sol="Generamos el reporte de acumulados anuales por empleado y se lo enviamos en Excel.",
             code="request_fulfilled"),
    ],
    "Portal web": [
        dict(s="El portal de clientes no carga: error 502",
             d="Desde hace media hora el portal de clientes muestra «502 Bad Gateway». Los clientes no pueden "
               "descargar sus facturas ni levantar pedidos.",
             u=3, i=3,
             n="El servicio de la aplicación se detuvo por falta de memoria. Reinicio y ajuste de límites.",
             sol="El servicio del portal se detuvo por falta de memoria en el servidor. Lo reiniciamos, ajustamos los "
                 "límites y agregamos una alerta. El portal opera con normalidad.",
             code="resolved"),
        dict(s="El navegador dice que nuestro sitio «no es seguro»",
             d="Al entrar a nuestro sitio el navegador muestra «La conexión no es privada». Los clientes nos están "
               "llamando.",
             u=3, i=3,
             n="Certificado SSL vencido: la renovación automática falló por un cambio de DNS.",
             sol="El certificado SSL no se renovó automáticamente. Lo renovamos, corregimos la renovación automática "
                 "y verificamos el sitio en varios navegadores.",
             code="resolved"),
        dict(s="Los pedidos en línea no llegan al ERP",
             d="Los pedidos que hacen los clientes en el portal no aparecen en el ERP desde el martes. Tenemos 23 "
               "pedidos detenidos.",
             u=2, i=2,
             q="¿Nos indica algunos números de pedido que no aparecen? Con dos o tres es suficiente.",
             a="Por ejemplo, los pedidos W-10452, W-10457 y W-10461.",
             n="La sincronización perdió el acceso a la API del ERP tras el cambio de contraseña del usuario de "
               "integración.",
             sol="La sincronización falló porque cambió la contraseña del usuario de integración. Actualizamos las "
                 "credenciales y reprocesamos los 23 pedidos pendientes.",
             code="resolved"),
        dict(s="El formulario de contacto del sitio no envía",
             d="Al dar clic en «Enviar» en el formulario de contacto aparece un error y no llega nada al correo de "
               "ventas.",
             u=1, i=1,
             v=("Proveedor de hospedaje",
                "El error viene del servicio de envío de correo del hospedaje. Levantamos un reporte con el proveedor "
                "y le avisaremos en cuanto responda.", "HOST-"),
             sol="El proveedor de hospedaje restableció el servicio de envío de correo. Probamos el formulario y los "
                 "mensajes ya llegan a ventas.",
             code="vendor_fix"),
        dict(s="El portal se ve desacomodado en el celular",
             d="En el celular, el menú del portal de clientes tapa el botón de pagar.",
             u=1, i=1,
             q="¿Qué modelo de celular y qué navegador usan?",
             a="Un iPhone 12 con Safari y un Samsung A54 con Chrome.",
             sol="No logramos reproducir el problema en esos equipos; probablemente el navegador mostraba una versión "
                 "anterior guardada. Si vuelve a pasar, envíenos una captura de pantalla.",
             code="not_reproducible"),
        dict(s="Publicar el banner de la promoción de temporada", request=True,
             d="Mercadotecnia preparó un banner de promoción (va adjunto). Necesitamos publicarlo en la página "
               "principal del viernes al lunes.",
             u=2, i=1,
             sol="Publicamos el banner en la página principal y programamos su retiro para el lunes a las 23:59.",
             code="request_fulfilled"),
        dict(s="Acceso al portal para el cliente {cliente}", request=True,
             d="El cliente {cliente} necesita acceso al portal para descargar sus facturas y estados de cuenta.",
             u=1, i=1,
             sol="Creamos el acceso del cliente al portal y le enviamos la invitación a su correo.",
             code="request_fulfilled"),
    ],
    "Correo": [
        dict(s="Outlook pide la contraseña a cada rato",
             d="Desde ayer Outlook me pide usuario y contraseña cada vez que lo abro y no me deja enviar correos.",
             u=2, i=1,
             q="¿Cambió recientemente su contraseña? ¿Le pasa también en Outlook en la web?",
             a="Sí, la cambié el lunes. En la web sí entra bien.",
             sol="Eliminamos las credenciales guardadas en Windows y volvimos a iniciar sesión en Outlook con la "
                 "contraseña nueva. Ya no la solicita.",
             code="resolved"),
        dict(s="No llegan correos de clientes externos",
             d="Desde las {hora} no recibimos correos de fuera de la empresa; entre nosotros sí llegan.",
             u=3, i=3,
             n="Incidente de Exchange Online publicado en el centro de administración; los mensajes están en cola.",
             v=("Microsoft 365",
                "Microsoft confirma una falla del servicio de correo en la región. Abrimos un caso y le informaremos "
                "en cuanto la resuelvan; los correos no se pierden, quedan en espera.", "MS-"),
             sol="Microsoft resolvió la falla de Exchange Online. Los correos retenidos se entregaron y verificamos "
                 "la recepción desde fuera.",
             code="vendor_fix"),
        dict(s="Buzón lleno: no puedo recibir correos",
             d="Me aparece que mi buzón está lleno y los clientes dicen que les rebotan los correos.",
             u=2, i=2,
             sol="Activamos el archivo en línea del buzón y movimos los correos de más de un año. El buzón quedó al "
                 "45% de su capacidad.",
             code="resolved"),
        dict(s="Correo sospechoso que pide actualizar datos bancarios",
             d="Nos llegó un correo que parece del banco y pide actualizar los datos de la cuenta. Dos personas ya "
               "le dieron clic al enlace.",
             u=3, i=2,
             n="Phishing. Bloquear remitente, purgar mensajes, restablecer contraseñas de los 2 usuarios y revisar "
               "sus inicios de sesión.",
             sol="Era un correo de phishing. Lo eliminamos de todos los buzones, bloqueamos el remitente y "
                 "restablecimos las contraseñas de las dos personas que abrieron el enlace; no hubo accesos indebidos.",
             code="resolved"),
        dict(s="El correo no se sincroniza en mi celular nuevo",
             d="El correo dejó de actualizarse en el celular desde que cambié de equipo.",
             u=1, i=1,
             q="¿Qué aplicación usa para el correo en el celular nuevo?",
             a="La aplicación de correo que ya traía el teléfono.",
             sol="Configuramos la aplicación de Outlook para celular con su cuenta; el correo ya se sincroniza.",
             code="false_incident"),
        dict(s="Alta de buzón para {nuevo}", request=True,
             d="El lunes ingresa {nuevo} como ejecutivo de ventas; necesita correo y estar en la lista de ventas.",
             u=2, i=1,
             sol="Creamos el buzón, asignamos la licencia y lo agregamos a la lista de ventas. Los datos de acceso se "
                 "entregaron a su jefe.",
             code="request_fulfilled"),
        dict(s="Baja del correo de {nuevo}", request=True,
             d="{nuevo} dejó la empresa; necesitamos dar de baja su correo y que los mensajes le lleguen a su jefe.",
             u=1, i=1,
             sol="Bloqueamos el acceso, convertimos el buzón en compartido y configuramos el reenvío al jefe del área.",
             code="request_fulfilled"),
    ],
    "Red": [
        dict(s="Sin internet en {lugar}",
             d="Ninguna computadora de {lugar} tiene internet desde las {hora}. Las cajas trabajan sin conexión.",
             u=3, i=3,
             v=("Telmex",
                "El enlace de internet está caído por una falla del proveedor. Levantamos el reporte con Telmex y le "
                "avisaremos en cuanto lo restablezcan.", "TMX-"),
             sol="Telmex reparó el enlace (fibra dañada en la calle). Verificamos la conexión en todas las cajas y "
                 "computadoras.",
             code="vendor_fix"),
        dict(s="El Wi-Fi de la sala de juntas se desconecta",
             d="En la sala de juntas el Wi-Fi se desconecta cada 5 minutos; en las demás áreas funciona bien.",
             u=1, i=1,
             sol="El punto de acceso de la sala tenía el firmware desactualizado y un canal saturado. Lo actualizamos "
                 "y cambiamos el canal.",
             code="resolved"),
        dict(s="La VPN no conecta desde casa",
             d="Al conectarme a la VPN desde casa aparece «No se pudo establecer la conexión». Ayer sí funcionaba.",
             u=2, i=1,
             q="¿Nos confirma qué versión del cliente de VPN tiene y qué código de error le aparece?",
             a="Versión 7.0, y el código -14.",
             sol="El cliente de VPN necesitaba actualizarse a la versión compatible con el firewall. Lo actualizamos "
                 "en una sesión remota y ya conecta.",
             code="resolved"),
        dict(s="Todo el sistema está muy lento en {lugar}",
             d="Desde la mañana todo está muy lento en {lugar}; abrir el ERP tarda varios minutos.",
             u=2, i=2,
             n="Enlace al 100%: un equipo descarga actualizaciones de forma continua.",
             sol="Un equipo saturaba el enlace descargando actualizaciones. Limitamos el ancho de banda de las "
                 "actualizaciones y el sistema volvió a su velocidad normal.",
             code="resolved"),
        dict(s="La impresora de red del área de crédito no imprime",
             d="La impresora de crédito no imprime desde ninguna computadora; aparece «sin conexión».",
             u=1, i=1,
             sol="La impresora tomó otra dirección IP después de un corte de luz. Le fijamos la IP y se reconectó.",
             code="resolved"),
        dict(s="Red de invitados para la junta del jueves", request=True,
             d="El jueves tendremos 15 visitantes en la sala de juntas; necesitamos una red de invitados temporal.",
             u=1, i=1,
             sol="Activamos la red de invitados con una contraseña válida solo el jueves y se la enviamos.",
             code="request_fulfilled"),
        dict(s="Acceso por VPN para el despacho contable externo", request=True,
             d="El despacho contable externo necesita acceso por VPN al ERP durante el cierre anual.",
             u=1, i=1,
             q="¿Nos confirma el nombre y el correo de la persona del despacho y hasta qué fecha necesita el acceso?",
             a="Es la C.P. Leticia Robles, de Robles y Asociados; lo necesita hasta fin de mes.",
             sol="Creamos el acceso por VPN con vigencia hasta fin de mes, restringido al servidor del ERP.",
             code="request_fulfilled"),
    ],
    "ERP": [
        dict(s="Error al cerrar el mes en contabilidad",
             d="Al ejecutar el cierre del mes aparece «Existen pólizas descuadradas», pero no dice cuáles.",
             u=3, i=2,
             n="Póliza de diario con diferencia de 0.01 por redondeo en la importación de la nómina.",
             sol="Encontramos una póliza de nómina descuadrada por un centavo de redondeo. Contraloría autorizó el "
                 "ajuste y el cierre se ejecutó correctamente.",
             code="resolved"),
        dict(s="Las existencias no cuadran con el conteo físico",
             d="En el almacén general el sistema muestra 120 piezas de un artículo y físicamente hay 95. Pasa con "
               "varios artículos de la misma familia.",
             u=2, i=2,
             q="¿Nos envía la lista de artículos con diferencia y la fecha del último conteo?",
             a="Les mando el Excel con 8 artículos; el conteo fue el sábado.",
             sol="Las diferencias vienen de traspasos entre almacenes que se enviaron pero no se recibieron. "
                 "Capacitamos al personal del almacén para recibirlos y se aplicaron los traspasos pendientes.",
             code="false_incident"),
        dict(s="No puedo autorizar órdenes de compra",
             d="Al autorizar una orden de compra aparece «Usuario sin permisos», aunque la semana pasada sí podía.",
             u=2, i=1,
             sol="Su perfil perdió el permiso de autorización al cambiar de puesto en el sistema. Con la autorización "
                 "de su jefe lo restablecimos.",
             code="resolved"),
        dict(s="El ERP se cierra al generar la antigüedad de saldos",
             d="Cuando genero el reporte de antigüedad de saldos de clientes, el ERP se cierra solo.",
             u=2, i=2,
             v=("Soporte del fabricante del ERP",
                "Es un error del ERP al generar reportes con más de 10 mil movimientos. Lo reportamos al fabricante; "
                "mientras tanto puede generar el reporte por rangos de clientes.", "ERP-"),
             sol="El fabricante liberó un parche para el reporte de antigüedad de saldos; lo aplicamos y el reporte "
                 "se genera completo.",
             code="vendor_fix"),
        dict(s="«No se puede conectar con el servidor de base de datos» al abrir el ERP",
             d="Al abrir el ERP aparece «No se puede conectar con el servidor de base de datos». Les pasa a todos en "
               "contabilidad.",
             u=3, i=3,
             n="Servicio de SQL Server detenido tras una actualización automática de Windows en el servidor.",
             sol="El servicio de base de datos se detuvo tras una actualización automática del servidor. Lo "
                 "iniciamos, configuramos su arranque automático y programamos las actualizaciones fuera de horario.",
             code="resolved"),
        dict(s="Crear el almacén de la sucursal {lugar}", request=True,
             d="Necesitamos un almacén nuevo en el ERP para {lugar}, con las mismas listas de precio que León Centro.",
             u=1, i=1,
             sol="Creamos el almacén con las listas de precios de León Centro y los permisos para su personal.",
             code="request_fulfilled"),
        dict(s="Permiso de consulta en cuentas por pagar para {nuevo}", request=True,
             d="Solicito permiso de solo consulta en cuentas por pagar para {nuevo}, del área de tesorería.",
             u=1, i=1,
             sol="Asignamos a {nuevo} el perfil de consulta de cuentas por pagar.",
             code="request_fulfilled"),
    ],
    "Punto de venta": [
        dict(s="La caja {caja} de {lugar} no imprime tickets",
             d="La impresora de la caja {caja} en {lugar} no imprime los tickets de venta; la luz parpadea en rojo.",
             u=3, i=2,
             q="¿Puede revisar si tiene papel y si la tapa está bien cerrada? Envíenos una foto de la luz de la "
               "impresora.",
             a="Tiene papel y la tapa está cerrada. Ya les mandé la foto.",
             sol="El cabezal de la impresora estaba atascado con un trozo de papel. Guiamos al gerente para retirarlo "
                 "y la impresora ya imprime.",
             code="resolved"),
        dict(s="La terminal bancaria de {lugar} rechaza todas las tarjetas",
             d="Desde la mañana la terminal de {lugar} rechaza todas las tarjetas con «Error de comunicación». Solo "
               "estamos cobrando en efectivo.",
             u=3, i=3,
             v=("Banco adquirente (terminales)",
                "La terminal requiere revisión del banco. Levantamos el reporte y el banco enviará a un técnico; le "
                "avisaremos en cuanto confirme la visita.", "BCO-"),
             sol="El banco reemplazó la terminal. Hicimos una venta de prueba con tarjeta y funciona.",
             code="vendor_fix"),
        dict(s="La caja no aplica la promoción 3x2 en {lugar}",
             d="En {lugar} la promoción 3x2 no se aplica en caja; cobra el precio completo.",
             u=2, i=2,
             n="La promoción se dio de alta con vigencia a partir de mañana.",
             sol="La promoción estaba configurada con fecha de inicio de mañana. Corregimos la vigencia y ya se aplica "
                 "en todas las cajas.",
             code="false_incident"),
        dict(s="El lector de código de barras de la caja {caja} no lee",
             d="El lector de la caja {caja} de {lugar} no lee los códigos; hay que teclear todo a mano.",
             u=2, i=1,
             sol="El lector estaba configurado en modo inventario. Lo regresamos al modo de venta con la tarjeta de "
                 "configuración.",
             code="resolved"),
        dict(s="Diferencia en el corte de caja de {lugar}",
             d="El corte de caja de ayer en {lugar} muestra una diferencia de $1,250 que no coincide con los tickets.",
             u=2, i=1,
             q="¿Nos envía el folio del corte y la relación de tickets cancelados del día?",
             a="El corte es el {folio}; ya les envié la relación.",
             sol="La diferencia corresponde a dos devoluciones registradas después del corte. Lo revisamos con el "
                 "gerente: no hay error en el sistema.",
             code="false_incident"),
        dict(s="La caja {caja} de {lugar} se congela al cobrar",
             d="La caja {caja} de {lugar} se congela al dar «Cobrar» y hay que reiniciarla.",
             u=3, i=2,
             sol="No pudimos reproducir el congelamiento después de revisar los registros y el disco de la caja. La "
                 "dejamos en observación: si vuelve a pasar, repórtelo con la hora exacta.",
             code="not_reproducible"),
        dict(s="Alta de cajero en {lugar}", request=True,
             d="Ingresó {nuevo} como cajero en {lugar}; necesita usuario en el punto de venta.",
             u=2, i=1,
             sol="Creamos el usuario de cajero de {nuevo} y se lo entregamos al gerente de tienda.",
             code="request_fulfilled"),
    ],
}

# Alerts opened by the monitoring tool (channel "monitoring").
MONITORING_TEMPLATES = {
    "Red": [
        dict(s="[Zabbix] Enlace WAN de {lugar} sin respuesta",
             d="Alerta automática: el ruteador de {lugar} no responde a ping desde hace 5 minutos (pérdida de "
               "paquetes: 100%).",
             u=3, i=3,
             v=("Telmex", "El enlace de la sucursal está caído por una falla del proveedor; ya hay reporte con Telmex.",
                "TMX-"),
             sol="Telmex restableció el enlace. El monitoreo confirma respuesta normal del ruteador.",
             code="vendor_fix"),
    ],
    "Portal web": [
        dict(s="[Zabbix] Portal de clientes: tiempo de respuesta mayor a 10 s",
             d="Alerta automática: el tiempo de respuesta de https://portal.{dominio} supera 10 s en las últimas 3 "
               "revisiones.",
             u=3, i=2,
             sol="Limpiamos la caché y reindexamos la base de datos del portal; el tiempo de respuesta volvió a menos "
                 "de 1 s.",
             code="resolved"),
    ],
    "ERP": [
        dict(s="[Zabbix] Disco D: del servidor del ERP al 95%",
             d="Alerta automática: la unidad D: del servidor del ERP tiene 95% de uso.",
             u=2, i=2,
             sol="Movimos respaldos antiguos al almacenamiento externo; la unidad quedó al 60%.",
             code="resolved"),
    ],
    "Correo": [
        dict(s="[Zabbix] Cola de correo saliente con más de 500 mensajes",
             d="Alerta automática: la cola del servidor de envío de facturas tiene 534 mensajes pendientes.",
             u=2, i=2,
             sol="Un proceso reintentaba envíos a una dirección inválida. Depuramos la cola y corregimos el correo "
                 "del cliente.",
             code="resolved"),
    ],
}

CUSTOMERS = ["Abarrotes La Providencia", "Distribuidora Leonesa", "Calzado Hidalgo", "Agroindustrias San Miguel",
             "Farmacias del Centro", "Papelería El Estudiante"]
NEW_PEOPLE = ["Miguel Ángel Rosas", "Daniela Paredes", "José Luis Ortiz", "Verónica Galván", "Arturo Bermúdez",
              "Mónica Estrada", "Raúl Zamora", "Itzel Cisneros"]

FIRST_REPLIES = [
    "Buen día, {nombre}. Recibimos su reporte y ya lo estamos revisando. Le mantendremos informado por este medio.",
    "Hola, {nombre}. Soy {agente}, de la mesa de ayuda, y daré seguimiento a su caso. Ya estoy revisando la "
    "información que nos envió.",
    "{nombre}, gracias por su reporte. Su caso ya está asignado; le escribo en cuanto tenga un diagnóstico.",
    "Buenas tardes, {nombre}. Ya estamos trabajando en su reporte; en breve le comparto los avances.",
]
GENERIC_QUESTION = ("¿Nos puede enviar una captura de pantalla del error y decirnos a qué hora ocurrió "
                    "aproximadamente?")
GENERIC_ANSWER = "Les envío la captura; ocurrió alrededor de las {hora}."
FOLLOW_UPS = [
    "¿Tienen alguna novedad? Seguimos con el problema.",
    "Les comento que el problema continúa. ¿Me pueden apoyar, por favor?",
    "Adjunto otra captura del error, por si les sirve.",
    "Buen día, ¿tienen un tiempo estimado de solución?",
]
WORK_NOTES = [
    "Revisado el protocolo del módulo; no hay incidentes similares abiertos.",
    "Llamé al usuario para confirmar el alcance: afecta solo a su área.",
    "Revisé la bitácora; el error empieza a aparecer a la hora reportada.",
    "Sesión remota con el usuario para reproducir el error.",
    "Busqué en la base de conocimiento: hay un caso similar resuelto el mes pasado.",
]
OPEN_NOTES = [
    "Pendiente de asignar: las personas de esta especialidad están atendiendo un incidente crítico.",
    "Revisar a primera hora; posible relación con la actualización de anoche.",
]
PROGRESS_REPLIES = [
    "{nombre}, ya identificamos la causa probable y estamos aplicando la corrección. Le confirmo en cuanto termine.",
    "Seguimos trabajando en su caso; por ahora le sugerimos no repetir la operación hasta que le confirmemos.",
]
ESCALATE_N2 = [
    "Se agotó el protocolo de N1 sin resolver; requiere revisar la configuración del servidor.",
    "Requiere acceso administrativo que N1 no tiene.",
    "El caso necesita análisis de la base de datos.",
]
ESCALATE_N3 = [
    "Sin causa identificada en N2; requiere el análisis de N3.",
    "La corrección requiere cambios en producción que solo autoriza N3.",
]
VENDOR_BACK_NOTES = [
    "El proveedor confirmó la corrección; pendiente validar con el usuario.",
    "El proveedor cerró su reporte; verificamos antes de solucionar.",
]
THANKS = ["¡Gracias! Ya quedó.", "Confirmo que ya funciona, muchas gracias por el apoyo.",
          "Todo bien, gracias.", "Perfecto, ya podemos trabajar. Gracias."]
REOPEN_MESSAGES = [
    "El problema volvió a presentarse hoy por la mañana.",
    "Sigue sin funcionar; lo intentamos de nuevo y aparece el mismo error.",
    "Funcionó un rato, pero ya falla otra vez.",
]
SECOND_SOLUTION = "Revisamos de nuevo y corregimos también la configuración que lo provocaba. "
WITHDRAW_MESSAGES = [
    "Ya no es necesario, lo resolvimos internamente. Pueden cancelar el reporte.",
    "Disculpen, fue un error nuestro. Ya quedó, cancelen el reporte por favor.",
]
OTHER_CANCEL_NOTES = [
    "Es una solicitud de compra de equipo nuevo: se canaliza al área de Compras, fuera del alcance de la póliza.",
    "El reporte es sobre un software de diseño que no está cubierto por la póliza; se informó al solicitante.",
    "Prueba del formulario hecha por personal de la empresa; no es un reporte real.",
]

# How many tickets of each kind of story (about 200 in all).
PLAN_IN_FORCE = {
    Ticket.State.OPEN: 14,
    Ticket.State.IN_PROGRESS: 18,
    Ticket.State.PENDING_USER: 10,
    Ticket.State.PENDING_VENDOR: 7,
    Ticket.State.SOLVED: 14,
    Ticket.State.CLOSED: 92,
}
PLAN_CANCELLED = {"duplicate": 6, "withdrawn": 5, "other": 3}
PLAN_MONITORING = {Ticket.State.OPEN: 1, Ticket.State.IN_PROGRESS: 1, Ticket.State.CLOSED: 7}
PLAN_EXPIRED_BEFORE = 12  # served (and closed) while its policy was in force
PLAN_EXPIRED_AFTER = 5  # cancelled at intake: no policy in force
PLAN_NO_POLICY = 5
PLAN_UNAUTHORIZED = 9  # unauthorized contacts of every organization, and the orphan sender


# Business-hours clock -------------------------------------------------------------


class BusinessClock:
    """Business minutes of the past days (Mon–Fri 09:00–18:00, Mexican holidays) as
    integers: 0 is 09:00 of the first business day, `now` the last minute elapsed."""

    def __init__(self, now: datetime.datetime, tz: ZoneInfo, days: int):
        local = timezone.localtime(now, tz)
        today = local.date()
        first = today - datetime.timedelta(days=days)
        mx_holidays = holidays.country_holidays("MX", years=range(first.year, today.year + 1))
        self.tz = tz
        self.days = [
            day
            for day in (first + datetime.timedelta(days=n) for n in range(days + 1))
            if day.weekday() < 5 and day not in mx_holidays
        ]
        elapsed_today = int((local - datetime.datetime.combine(today, DAY_START, tz)).total_seconds() // 60) - 1
        if self.days and self.days[-1] == today and elapsed_today <= 0:
            self.days.pop()  # before 09:00: today has no past business minutes yet
        if self.days and self.days[-1] == today:
            self.now = (len(self.days) - 1) * DAY_MINUTES + min(elapsed_today, DAY_MINUTES)
        else:
            self.now = len(self.days) * DAY_MINUTES

    def at(self, index: int) -> datetime.datetime:
        index = max(0, min(index, self.now - 1))
        day = self.days[index // DAY_MINUTES]
        start = datetime.datetime.combine(day, DAY_START, self.tz)
        return start + datetime.timedelta(minutes=index % DAY_MINUTES)

    def first_index_after(self, date: datetime.date) -> int:
        """The first business minute of a day later than `date`."""
        return sum(1 for day in self.days if day <= date) * DAY_MINUTES


# Plans ----------------------------------------------------------------------------


@dataclass
class Plan:
    """One ticket's story: who reports what, and the steps (business minutes apart)."""

    contact: Contact
    template: dict
    module: Module | None
    kind: str
    channel: str
    urgency: int
    context: dict
    module_name: str = ""
    registered_by: User | None = None
    fix_kind: bool = False  # reported as an incident, reclassified by the agent as a request
    duplicate_text: str = ""
    steps: list = field(default_factory=list)
    start: int = 0
    ticket: Ticket | None = None

    @property
    def duration(self) -> int:
        return sum(gap for gap, _action, _kwargs in self.steps)

    def add(self, gap: int, action: str, **kwargs) -> None:
        self.steps.append((0 if action == "open" else max(1, gap), action, kwargs))


class Command(BaseCommand):
    help = "Carga datos de demostración realistas (organizaciones, catálogo, usuarios y ~200 tickets). Idempotente."

    def add_arguments(self, parser):
        parser.add_argument("--seed", type=int, default=SEED, help="Semilla para generar los mismos datos.")

    def handle(self, *args, **options):
        started = time.monotonic()
        # Two generators: `rng` decides the stories (the same on any day), `time_rng` places
        # them on the calendar, whose length depends on today.
        self.rng = random.Random(options["seed"])
        self.time_rng = random.Random(options["seed"] + 1)
        self.tz = ZoneInfo(settings.TIME_ZONE)
        with transaction.atomic():
            self.specialties = self.load_specialties()
            self.modules = self.load_modules()
            self.organizations, self.contacts = self.load_organizations()
            self.coordinator, self.agents, self.admin = self.load_staff()
            demo_orgs = list(self.organizations.values())
            if Ticket.objects.filter(organization__in=demo_orgs).exists():
                created_tickets = False
            else:
                self.load_tickets()
                created_tickets = True
            # The services gave each ticket its deadlines at the travelled times; record the
            # warnings and breaches already behind them, without emails, as beat would have.
            sla_recompute(tickets=Ticket.objects.filter(organization__in=demo_orgs).not_final())
        self.report(created_tickets, time.monotonic() - started)

    # Catalog, customers, staff ------------------------------------------------------

    def load_specialties(self) -> dict[str, Specialty]:
        specialties = {}
        for name, description in SPECIALTIES.items():
            specialties[name], _created = Specialty.objects.get_or_create(
                name=name, defaults={"description": description}
            )
        return specialties

    def load_modules(self) -> dict[str, Module]:
        modules = {}
        for data in MODULES:
            modules[data["name"]], _created = Module.objects.get_or_create(
                name=data["name"],
                defaults={
                    "description": data["description"],
                    "policies": data["policies"],
                    "protocol": data["protocol"],
                    "specialty": self.specialties[data["specialty"]],
                },
            )
        return modules

    def load_organizations(self):
        today = timezone.localdate()
        organizations, contacts = {}, {}
        for data in ORGANIZATIONS:
            organization, _created = Organization.objects.get_or_create(
                name=data["name"],
                defaults={
                    "tax_id": data["tax_id"],
                    "email_domain": data["domain"],
                    "phone": data["phone"],
                    "notes": data["notes"],
                },
            )
            organizations[data["key"]] = organization
            policy = data["policy"]
            if policy:
                # Dates follow today, so that "in force" and "expired" stay true on later runs.
                SupportPolicy.objects.update_or_create(
                    organization=organization,
                    number=policy["number"],
                    defaults={
                        "name": policy["name"],
                        "starts_on": today + datetime.timedelta(days=policy["starts"]),
                        "ends_on": today + datetime.timedelta(days=policy["ends"]),
                        "is_active": True,
                    },
                )
            contacts[data["key"]] = []
            for name, user_part, job_title, authorized, usual_modules in data["contacts"]:
                contact = self.get_contact(
                    email=f"{user_part}@{data['domain']}",
                    name=name,
                    organization=organization,
                    job_title=job_title,
                    authorized=authorized,
                    phone=f"{data['phone']} ext. {100 + len(contacts[data['key']]) * 7}" if authorized else "",
                )
                contact.usual_modules = usual_modules
                contacts[data["key"]].append(contact)
        name, email, usual_modules = ORPHAN_CONTACT
        orphan = self.get_contact(email=email, name=name, organization=None, job_title="", authorized=False, phone="")
        orphan.usual_modules = usual_modules
        contacts["orphan"] = [orphan]
        return organizations, contacts

    @staticmethod
    def get_contact(*, email, name, organization, job_title, authorized, phone) -> Contact:
        contact = Contact.objects.by_email(email).first()
        if contact is None:
            contact = Contact.objects.create(
                email=email,
                name=name,
                organization=organization,
                job_title=job_title,
                is_authorized=authorized,
                phone=phone,
            )
        return contact

    def load_staff(self):
        try:
            agent_group = Group.objects.get(name=AGENT_GROUP)
            coordinator_group = Group.objects.get(name=COORDINATOR_GROUP)
        except Group.DoesNotExist:
            raise CommandError("Faltan los grupos de roles: ejecute primero «python manage.py migrate».") from None

        username, first, last = COORDINATOR
        coordinator = self.get_user(username, first, last, group=coordinator_group)
        profile, _created = AgentProfile.objects.get_or_create(user=coordinator, defaults={"level": SupportLevel.N3})

        agents = []
        for username, first, last, level, specialty_names in AGENTS:
            agent = self.get_user(username, first, last, group=agent_group)
            profile, created = AgentProfile.objects.get_or_create(user=agent, defaults={"level": level})
            if created:
                profile.specialties.set([self.specialties[name] for name in specialty_names])
            agent.demo_level = profile.level
            agent.demo_specialties = set(profile.specialties.values_list("pk", flat=True))
            agents.append(agent)

        username, first, last = ADMIN
        admin = self.get_user(username, first, last, superuser=True)
        return coordinator, agents, admin

    @staticmethod
    def get_user(username, first_name, last_name, *, group=None, superuser=False) -> User:
        user, created = User.objects.get_or_create(
            username=username,
            defaults={
                "first_name": first_name,
                "last_name": last_name,
                "email": f"{username}@{STAFF_EMAIL_DOMAIN}",
                "is_staff": True,
                "is_superuser": superuser,
            },
        )
        if created:
            # Only on creation: a demo user who changed the password keeps it.
            user.set_password(DEMO_PASSWORD)
            user.save(update_fields=["password"])
        if group is not None:
            user.groups.add(group)
        return user

    # Tickets ---------------------------------------------------------------------------

    def load_tickets(self) -> None:
        self.clock = BusinessClock(timezone.now(), self.tz, HISTORY_DAYS)
        if self.clock.now < 20 * DAY_MINUTES:
            raise CommandError("El calendario de días hábiles es demasiado corto para generar la historia.")
        plans = self.plan_tickets()
        plans.sort(key=lambda plan: plan.start)
        self.last_opened = None
        for plan in plans:
            self.run(plan)

    def plan_tickets(self) -> list[Plan]:
        rng = self.rng
        now = self.clock.now
        plans: list[Plan] = []

        def place_recent(plan, oldest, newest=10):
            """The last step happens between `oldest` and `newest` business minutes ago."""
            end = now - self.time_rng.randint(newest, max(newest, oldest))
            plan.start = max(0, end - plan.duration)

        def place_anywhere(plan, latest=None):
            latest = now - plan.duration - 10 if latest is None else min(latest, now - plan.duration - 10)
            plan.start = self.time_rng.randint(0, max(0, latest))

        # The organization with a policy in force: every state.
        served = [c for c in self.contacts[IN_FORCE] if c.is_authorized and c.usual_modules]
        monitor = next(c for c in self.contacts[IN_FORCE] if not c.usual_modules)
        windows = {
            Ticket.State.OPEN: 1500,
            Ticket.State.IN_PROGRESS: 1800,
            Ticket.State.PENDING_USER: 1600,
            Ticket.State.PENDING_VENDOR: 2500,
            Ticket.State.SOLVED: CONFIRMATION_WINDOW - 200,
        }
        closed_plans = []
        for state, count in PLAN_IN_FORCE.items():
            for _ in range(count):
                plan = self.new_plan(served, vendor=state == Ticket.State.PENDING_VENDOR)
                self.lifecycle(plan, state)
                if state == Ticket.State.CLOSED:
                    place_anywhere(plan)
                    closed_plans.append(plan)
                else:
                    place_recent(plan, windows[state])
                plans.append(plan)
        for state, count in PLAN_MONITORING.items():
            for _ in range(count):
                plan = self.new_plan([monitor], monitoring=True)
                self.lifecycle(plan, state)
                if state == Ticket.State.CLOSED:
                    place_anywhere(plan)
                else:
                    place_recent(plan, 400)
                plans.append(plan)

        # Cancelled by people: withdrawn by the requester, other reasons, duplicates.
        for _ in range(PLAN_CANCELLED["withdrawn"]):
            plan = self.new_plan(served)
            self.withdrawn(plan)
            place_anywhere(plan)
            plans.append(plan)
        for _ in range(PLAN_CANCELLED["other"]):
            plan = self.new_plan(served)
            plan.add(rng.randint(20, 240), "cancel", by=self.coordinator, reason=Ticket.CancelReason.OTHER,
                     note=rng.choice(OTHER_CANCEL_NOTES))
            place_anywhere(plan)
            plans.append(plan)
        originals = self.time_rng.sample([p for p in closed_plans if p.start < now - 2 * DAY_MINUTES],
                               PLAN_CANCELLED["duplicate"])
        for original in originals:
            plans.append(self.duplicate(original, served))

        # The organization whose policy expired: served before, cancelled at intake after.
        expired_org = self.organizations[EXPIRED]
        expiry = self.clock.first_index_after(expired_org.policies.order_by("-ends_on").first().ends_on)
        expired_served = [c for c in self.contacts[EXPIRED] if c.is_authorized]
        for _ in range(PLAN_EXPIRED_BEFORE):
            plan = self.new_plan(expired_served)
            self.lifecycle(plan, Ticket.State.CLOSED)
            place_anywhere(plan, latest=expiry - 1)  # admitted: opened while the policy was in force
            plans.append(plan)
        for _ in range(PLAN_EXPIRED_AFTER):
            plan = self.new_plan(expired_served)
            plan.start = self.time_rng.randint(expiry, now - 10)
            plans.append(plan)

        # No policy at all, and unauthorized senders: cancelled at intake.
        for _ in range(PLAN_NO_POLICY):
            plan = self.new_plan([c for c in self.contacts[NO_POLICY] if c.is_authorized])
            place_anywhere(plan)
            plans.append(plan)
        unauthorized = [c for key in (IN_FORCE, EXPIRED, NO_POLICY, "orphan") for c in self.contacts[key]
                        if not c.is_authorized]
        for n in range(PLAN_UNAUTHORIZED):
            plan = self.new_plan([unauthorized[n % len(unauthorized)]])
            place_anywhere(plan)
            plans.append(plan)
        return plans

    def new_plan(self, contacts, *, vendor=False, monitoring=False) -> Plan:
        rng = self.rng
        contact = rng.choice(contacts)
        if monitoring:
            module_name = rng.choice(sorted(MONITORING_TEMPLATES))
            template = rng.choice(MONITORING_TEMPLATES[module_name])
            channel = Ticket.Channel.MONITORING
        else:
            candidates = [
                (name, t) for name in (contact.usual_modules or sorted(TEMPLATES)) for t in TEMPLATES[name]
                if not vendor or "v" in t
            ]
            if not candidates:  # nobody of theirs reports vendor cases: any module
                candidates = [(name, t) for name in sorted(TEMPLATES) for t in TEMPLATES[name] if "v" in t]
            module_name, template = rng.choice(candidates)
            channel = rng.choices(
                [Ticket.Channel.WEB, Ticket.Channel.EMAIL, Ticket.Channel.PHONE], weights=[45, 35, 20]
            )[0]
        organization = contact.organization
        places = next((o["places"] for o in ORGANIZATIONS if organization and o["name"] == organization.name),
                      ["la oficina"])
        context = {
            "lugar": rng.choice(places),
            "caja": rng.randint(1, 6),
            "hora": f"{rng.randint(8, 12)}:{rng.choice(['00', '15', '20', '30', '45'])}",
            "folio": f"A-{rng.randint(10000, 99999)}",
            "cliente": rng.choice(CUSTOMERS),
            "nuevo": rng.choice(NEW_PEOPLE),
            "dominio": organization.email_domain if organization else "example.com",
            "nombre": contact.name.split()[0],
        }
        kind = Ticket.Kind.REQUEST if template.get("request") else Ticket.Kind.INCIDENT
        urgency = template["u"]
        if channel != Ticket.Channel.MONITORING and rng.random() < 0.25:
            urgency = min(3, max(1, urgency + rng.choice([-1, 1])))
        module = self.modules[module_name]
        if channel == Ticket.Channel.WEB and rng.random() < 0.1:
            module = None  # "no sé": the agent classifies it
        plan = Plan(contact=contact, template=template, module=module, kind=kind, channel=channel,
                    urgency=urgency, context=context)
        plan.module_name = module_name
        if channel == Ticket.Channel.PHONE:
            plan.registered_by = rng.choice([a for a in self.agents if a.demo_level == SupportLevel.N1])
        if kind == Ticket.Kind.REQUEST and channel == Ticket.Channel.WEB and rng.random() < 0.3:
            plan.kind = Ticket.Kind.INCIDENT  # reported as an incident; the agent reclassifies it
            plan.fix_kind = True
        plan.add(0, "open")
        return plan

    def text(self, plan: Plan, value: str, **extra) -> str:
        return value.format(**plan.context, **extra)

    def agent_for(self, plan: Plan, level: int, exclude=None) -> User:
        specialty = self.modules[plan.module_name].specialty_id
        candidates = [
            a for a in self.agents if specialty in a.demo_specialties and a.demo_level == level and a != exclude
        ]
        if not candidates:
            candidates = [a for a in self.agents if specialty in a.demo_specialties and a.demo_level >= level
                          and a != exclude] or [a for a in self.agents if a != exclude]
        return self.rng.choice(candidates)

    def lifecycle(self, plan: Plan, target: str) -> None:
        """The steps of an admitted ticket up to `target`."""
        rng, tpl, State = self.rng, plan.template, Ticket.State
        monitoring = plan.channel == Ticket.Channel.MONITORING
        request = bool(tpl.get("request"))
        impact = min(3, max(1, tpl["i"] + (rng.choice([-1, 1]) if rng.random() < 0.2 else 0)))
        priority = PRIORITY[(plan.urgency, impact)]

        if target == State.OPEN:
            if rng.random() < 0.4:
                plan.add(rng.randint(5, 120), "classify", by=self.coordinator, impact=impact,
                         note="Evaluación inicial del coordinador.")
            if not monitoring and rng.random() < 0.3:
                plan.add(rng.randint(30, 240), "requester", body=rng.choice(FOLLOW_UPS))
            if rng.random() < 0.2:
                plan.add(rng.randint(5, 60), "note", by=self.coordinator, body=rng.choice(OPEN_NOTES))
            return

        # First response: taken by an agent or assigned by the coordinator.
        low, high = {5: (5, 45), 4: (10, 100), 3: (20, 220), 2: (30, 440), 1: (40, 460)}[priority]
        first_gap = rng.randint(low, high) * (3 if rng.random() < 0.1 else 1)  # a few breach the SLA
        agent = self.agent_for(plan, SupportLevel.N1)
        if rng.random() < 0.5:
            plan.add(first_gap, "take", agent=agent)
        else:
            plan.add(first_gap, "assign", by=self.coordinator, agent=agent)
        classify = {"impact": impact}
        if plan.module is None:
            classify["module"] = self.modules[plan.module_name]
        if plan.fix_kind:
            classify["kind"] = Ticket.Kind.REQUEST
        if rng.random() < 0.1 and not monitoring:
            classify["urgency"] = min(3, max(1, plan.urgency + rng.choice([-1, 1])))
        plan.add(rng.randint(2, 15), "classify", by=agent, note="Evaluación del agente.", **classify)
        if not monitoring:
            plan.add(rng.randint(3, 40), "reply", by=agent,
                     body=self.text(plan, rng.choice(FIRST_REPLIES), agente=agent.get_full_name()))
        if rng.random() < 0.5:
            plan.add(rng.randint(10, 120), "note", by=agent, body=tpl.get("n") or rng.choice(WORK_NOTES))

        # Escalation (not a state) and the occasional change of hands.
        if rng.random() < (0.05 if request else 0.25):
            higher = self.agent_for(plan, SupportLevel.N2, exclude=agent)
            plan.add(rng.randint(30, 400), "escalate", by=agent, reason=rng.choice(ESCALATE_N2), agent=higher)
            agent = higher
            if rng.random() < 0.3:
                top = self.agent_for(plan, SupportLevel.N3, exclude=agent)
                plan.add(rng.randint(60, 600), "escalate", by=agent, reason=rng.choice(ESCALATE_N3), agent=top)
                agent = top
        elif rng.random() < 0.08:
            other = self.agent_for(plan, SupportLevel.N1, exclude=agent)
            if other.demo_level == SupportLevel.N1:
                plan.add(rng.randint(30, 300), "reassign", by=self.coordinator, agent=other)
                agent = other

        if target == State.IN_PROGRESS:
            if not monitoring and rng.random() < 0.4:
                plan.add(rng.randint(30, 300), "requester", body=rng.choice(FOLLOW_UPS))
                plan.add(rng.randint(10, 90), "reply", by=agent, body=self.text(plan, rng.choice(PROGRESS_REPLIES)))
            return

        if "v" in tpl:
            vendor_name, message, prefix = tpl["v"]
            plan.add(rng.randint(20, 240), "wait_vendor", by=agent, message=message, vendor_name=vendor_name,
                     vendor_reference=f"{prefix}{rng.randint(100000, 999999)}")
            if target == State.PENDING_VENDOR:
                if rng.random() < 0.5:
                    plan.add(rng.randint(60, 600), "note", by=agent,
                             body="Seguimiento con el proveedor: sigue en revisión, sin fecha compromiso.")
                return
            plan.add(rng.randint(200, 2000), "note", by=agent, body=rng.choice(VENDOR_BACK_NOTES))
            plan.add(rng.randint(1, 10), "resume", by=agent)

        if not monitoring and (target == State.PENDING_USER or rng.random() < (0.6 if "q" in tpl else 0.15)):
            question = self.text(plan, tpl.get("q", GENERIC_QUESTION))
            plan.add(rng.randint(20, 300), "wait_user", by=agent, message=question)
            if target == State.PENDING_USER:
                return
            plan.add(rng.randint(20, 900), "requester", body=self.text(plan, tpl.get("a", GENERIC_ANSWER)))

        work = {5: (30, 200), 4: (60, 420), 3: (120, 1200), 2: (200, 2400), 1: (300, 2600)}[priority]
        plan.add(rng.randint(*work), "solve", by=agent, solution=self.text(plan, tpl["sol"]), code=tpl["code"])
        if target == State.SOLVED:
            return

        if not monitoring and not request and rng.random() < 0.12:
            plan.add(rng.randint(60, 900), "reopen", message=rng.choice(REOPEN_MESSAGES))
            plan.add(rng.randint(10, 120), "reply", by=agent, body=self.text(plan, rng.choice(PROGRESS_REPLIES)))
            plan.add(rng.randint(60, 600), "solve", by=agent, solution=SECOND_SOLUTION + self.text(plan, tpl["sol"]),
                     code=tpl["code"])
        if not monitoring and rng.random() < 0.55:
            if rng.random() < 0.7:
                plan.add(rng.randint(20, 900), "requester", body=rng.choice(THANKS))
            plan.add(rng.randint(1, 30), "close", automatic=False)
        else:
            plan.add(CONFIRMATION_WINDOW + rng.randint(1, 60), "close", automatic=True)

    def withdrawn(self, plan: Plan) -> None:
        rng = self.rng
        if rng.random() < 0.5:
            agent = self.agent_for(plan, SupportLevel.N1)
            plan.add(rng.randint(20, 200), "take", agent=agent)
            plan.add(rng.randint(3, 40), "reply", by=agent,
                     body=self.text(plan, rng.choice(FIRST_REPLIES), agente=agent.get_full_name()))
        plan.add(rng.randint(30, 600), "requester", body=rng.choice(WITHDRAW_MESSAGES))
        plan.add(1, "cancel", by=None, reason=Ticket.CancelReason.WITHDRAWN,
                 note="El solicitante retiró el reporte.")

    def duplicate(self, original: Plan, contacts) -> Plan:
        """The same case reported again, by the same person through another channel or by a colleague."""
        rng = self.rng
        contact = rng.choice(contacts)
        channel = rng.choice([c for c in (Ticket.Channel.WEB, Ticket.Channel.EMAIL, Ticket.Channel.PHONE)
                              if c != original.channel])
        plan = Plan(contact=contact, template=original.template, module=original.module, kind=original.kind,
                    channel=channel, urgency=original.urgency, context=dict(original.context))
        plan.module_name = original.module_name
        plan.duplicate_text = (
            "Lo reporto de nuevo porque es urgente. " if contact == original.contact
            else "En nuestra área tenemos el mismo problema. "
        )
        if channel == Ticket.Channel.PHONE:
            plan.registered_by = rng.choice([a for a in self.agents if a.demo_level == SupportLevel.N1])
        plan.add(0, "open")
        plan.add(rng.randint(10, 180), "cancel", by=self.coordinator, reason=Ticket.CancelReason.DUPLICATE,
                 duplicate_of=original)
        plan.start = original.start + self.time_rng.randint(15, 400)
        return plan

    # Running a plan: each step at its moment, through the services -------------------

    def run(self, plan: Plan) -> None:
        index, last = plan.start, None
        one_second = datetime.timedelta(seconds=1)
        for gap, action, kwargs in plan.steps:
            index += gap
            when = self.clock.at(index) + datetime.timedelta(seconds=self.time_rng.randint(0, 59))
            if action == "open" and self.last_opened and when <= self.last_opened:
                when = self.last_opened + one_second  # references follow creation times
            if last and when <= last:
                when = last + one_second
            last = when
            if action == "open":
                self.last_opened = when
            with time_machine.travel(when, tick=False):
                getattr(self, f"do_{action}")(plan, **kwargs)

    def do_open(self, plan: Plan) -> None:
        tpl = plan.template
        description = self.text(plan, tpl["d"])
        if plan.duplicate_text:
            description = plan.duplicate_text + description
        occurred_at = None
        if plan.kind == Ticket.Kind.INCIDENT:
            occurred_at = timezone.now() - datetime.timedelta(minutes=self.rng.randint(5, 180))
        plan.ticket = services.ticket_open(
            requester=plan.contact,
            subject=self.text(plan, tpl["s"]),
            description=description,
            channel=plan.channel,
            kind=plan.kind,
            module=plan.module,
            urgency=plan.urgency,
            occurred_at=occurred_at,
            by=plan.registered_by,
            notify=False,  # demo requesters are not emailed two months of history (nor below)
        )

    def do_take(self, plan, agent):
        plan.ticket = services.ticket_take(ticket=plan.ticket, agent=agent)

    def do_assign(self, plan, by, agent):
        plan.ticket = services.ticket_assign(ticket=plan.ticket, assignee=agent, by=by)

    do_reassign = do_assign

    def do_classify(self, plan, by, note="", **changes):
        plan.ticket = services.ticket_classify(ticket=plan.ticket, by=by, note=note, **changes)

    def do_reply(self, plan, by, body):
        services.ticket_add_message(
            ticket=plan.ticket, kind=Message.Kind.PUBLIC_REPLY, body=body, by=by, notify=False
        )

    def do_note(self, plan, by, body):
        services.ticket_add_message(
            ticket=plan.ticket, kind=Message.Kind.INTERNAL_NOTE, body=body, by=by, notify=False
        )

    def do_requester(self, plan, body):
        services.ticket_add_message(ticket=plan.ticket, kind=Message.Kind.FROM_REQUESTER, body=body, notify=False)
        # A reply to a ticket waiting for the requester puts it back to work.
        plan.ticket.refresh_from_db()

    def do_escalate(self, plan, by, reason, agent):
        plan.ticket = services.ticket_escalate(ticket=plan.ticket, by=by, reason=reason, assignee=agent)

    def do_wait_user(self, plan, by, message):
        plan.ticket = services.ticket_wait_for_user(ticket=plan.ticket, by=by, message=message, notify=False)

    def do_wait_vendor(self, plan, by, message, vendor_name, vendor_reference):
        plan.ticket = services.ticket_wait_for_vendor(
            ticket=plan.ticket,
            by=by,
            message=message,
            vendor_name=vendor_name,
            vendor_reference=vendor_reference,
            notify=False,
        )

    def do_resume(self, plan, by):
        plan.ticket = services.ticket_resume(ticket=plan.ticket, by=by)

    def do_solve(self, plan, by, solution, code):
        plan.ticket = services.ticket_solve(
            ticket=plan.ticket, by=by, solution=solution, resolution_code=code, notify=False
        )

    def do_reopen(self, plan, message):
        plan.ticket = services.ticket_reopen(ticket=plan.ticket, by=None, message=message)

    def do_close(self, plan, automatic):
        plan.ticket = services.ticket_close(ticket=plan.ticket, by=None, automatic=automatic, notify=False)

    def do_cancel(self, plan, by, reason, note="", duplicate_of=None):
        original = duplicate_of.ticket if duplicate_of is not None else None
        if original is not None:
            note = f"Duplicado de {original.reference}: se da seguimiento en el ticket original."
        plan.ticket = services.ticket_cancel(
            ticket=plan.ticket, by=by, reason=reason, note=note, duplicate_of=original, notify=False
        )

    # Report -----------------------------------------------------------------------------

    def report(self, created_tickets: bool, seconds: float) -> None:
        out, style = self.stdout, self.style
        demo_orgs = list(self.organizations.values())
        tickets = Ticket.objects.filter(organization__in=demo_orgs) | Ticket.objects.filter(
            requester__in=self.contacts["orphan"]
        )
        if created_tickets:
            out.write(style.SUCCESS(f"Datos de demostración cargados en {seconds:.1f} s."))
        else:
            out.write(style.WARNING(
                "Los tickets de demostración ya existían: no se crearon otros. "
                f"Catálogo, organizaciones y usuarios verificados en {seconds:.1f} s."
            ))
        by_state = dict(tickets.values_list("state").annotate(n=Count("pk")).order_by())
        states = ", ".join(f"{label.lower()}: {by_state.get(value, 0)}" for value, label in Ticket.State.choices)
        contacts = Contact.objects.filter(organization__in=demo_orgs).count() + len(self.contacts["orphan"])
        out.write(
            f"  Organizaciones: {len(demo_orgs)} · contactos: {contacts}"
            f" · módulos: {len(self.modules)} · especialidades: {len(self.specialties)}"
        )
        out.write(f"  Tickets: {tickets.count()} ({states})")
        out.write(
            f"  Mensajes: {Message.objects.filter(ticket__in=tickets).count()}"
            f" · cambios en el historial: {TicketChange.objects.filter(ticket__in=tickets).count()}"
        )
        out.write("")
        out.write(style.MIGRATE_HEADING(f"Accesos de demostración (contraseña de todos: {DEMO_PASSWORD})"))
        rows = [("Usuario", "Rol", "Nombre")]
        rows.append((self.coordinator.username, "Coordinador", self.coordinator.get_full_name()))
        for agent in self.agents:
            rows.append((agent.username, f"Agente {SupportLevel(agent.demo_level).label}", agent.get_full_name()))
        rows.append((self.admin.username, "Superusuario (admin de Django)", self.admin.get_full_name()))
        widths = [max(len(row[n]) for row in rows) for n in range(3)]
        for n, row in enumerate(rows):
            line = "  " + "  ".join(value.ljust(widths[i]) for i, value in enumerate(row))
            out.write(style.HTTP_INFO(line) if n == 0 else line)
